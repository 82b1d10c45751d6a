package dev.outflow.operators.testutils;

import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

/** A delivery function in Flink's Async I/O operator, as the job runs it (unordered), in a test harness. */
public final class AsyncDeliveryHarness {

    private AsyncDeliveryHarness() {}

    /**
     * Sends every batch through {@code function} with room for {@code capacity} at once (one: each waits for the one
     * before), and returns the attempts it emitted once all have ended.
     */
    public static List<DeliveryAttempt> deliver(AsyncFunction<DeliveryBatch, DeliveryAttempt> function, int capacity,
            List<DeliveryBatch> batches) throws Exception {
        try (OneInputStreamOperatorTestHarness<DeliveryBatch, DeliveryAttempt> harness =
                new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(function, 60_000, capacity,
                        AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(DeliveryBatch.class).createSerializer(new SerializerConfigImpl()))) {
            harness.open();
            for (DeliveryBatch batch : batches) {
                harness.processElement(new StreamRecord<>(batch, 0));
            }
            harness.endInput();
            List<DeliveryAttempt> attempts = new ArrayList<>();
            for (Object output : harness.getOutput()) {
                if (output instanceof StreamRecord<?> record) {
                    attempts.add((DeliveryAttempt) record.getValue());
                }
            }
            return attempts;
        }
    }
}
