package dev.outflow.jobs;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.batching.DestinationBatcher;
import dev.outflow.operators.delivery.DeliveryOutcomeFunction;
import dev.outflow.operators.delivery.HttpDeliveryFunction;
import dev.outflow.operators.delivery.HttpTransport;
import dev.outflow.operators.routing.ParseAndRouteFunction;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.concurrent.TimeUnit;

/**
 * The destinations topology, from raw input records to the delivery log and the dead letters:
 *
 * <pre>
 * input -> parse and route -> keyBy(destination#shard) -> batch -> deliver (async HTTP) -> account outcomes
 *              |  filtered pairs ------------------------------------------------------> delivery log
 *              |  malformed input -------------------------------------------------------> dead letters
 * </pre>
 *
 * Sources and sinks are not part of it, so tests and the job main run exactly the same operators.
 */
public final class OutflowTopology {

    /** The two output streams of the job. Every input event ends up in at least one of them for each destination. */
    public record Outputs(DataStream<DeliveryLogRecord> deliveryLog, DataStream<DeadLetter> deadLetters) {}

    private OutflowTopology() {}

    public static Outputs build(DataStream<RawEvent> input, DestinationCatalog catalog,
            HttpTransport.Factory transport, int asyncCapacity) {
        SingleOutputStreamOperator<RoutedEvent> routed = input
                .process(new ParseAndRouteFunction(catalog))
                .uid(Uids.PARSE_AND_ROUTE)
                .name("parse and route");

        SingleOutputStreamOperator<DeliveryBatch> batches = routed
                .keyBy(new RouteKeySelector())
                .process(new DestinationBatcher(catalog))
                .uid(Uids.BATCHER)
                .name("batch per destination");

        SingleOutputStreamOperator<DeliveryAttempt> attempts = AsyncDataStream
                .unorderedWait(batches, new HttpDeliveryFunction(catalog, transport),
                        asyncTimeoutMs(catalog, asyncCapacity), TimeUnit.MILLISECONDS, asyncCapacity)
                .uid(Uids.HTTP_DELIVERY)
                .name("deliver over http");

        SingleOutputStreamOperator<DeliveryLogRecord> outcomes = attempts
                .process(new DeliveryOutcomeFunction(catalog))
                .uid(Uids.OUTCOMES)
                .name("account outcomes");

        DataStream<DeliveryLogRecord> deliveryLog = outcomes.union(routed.getSideOutput(OutputTags.FILTERED));
        DataStream<DeadLetter> deadLetters = routed.getSideOutput(OutputTags.DEAD_LETTERS)
                .union(outcomes.getSideOutput(OutputTags.DEAD_LETTERS));
        return new Outputs(deliveryLog, deadLetters);
    }

    /**
     * A safety net only: each request has its own timeout, but a batch may first wait for a concurrency slot
     * behind every other batch of the subtask, so the operator timeout allows for the whole queue.
     */
    static long asyncTimeoutMs(DestinationCatalog catalog, int asyncCapacity) {
        long slowest = 0;
        int narrowest = Integer.MAX_VALUE;
        for (DestinationConfig destination : catalog.destinations()) {
            slowest = Math.max(slowest, destination.delivery().timeoutMs());
            narrowest = Math.min(narrowest, destination.delivery().maxConcurrency());
        }
        return slowest * (asyncCapacity / Math.max(1, narrowest) + 2) + 30_000;
    }
}
