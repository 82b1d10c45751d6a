package dev.outflow.jobs;

import dev.outflow.schemas.delivery.DeliveryBatch;

import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Sends every batch of one destination to the same delivery subtask, whatever shard formed it. The delivery
 * operator keeps each destination's health (Retry-After, circuit breaker, adaptive concurrency) in memory, so this
 * is what makes them hold for the destination as a whole: a Retry-After answered to one shard's request pauses
 * all of them, and {@code maxConcurrency} is a limit per destination, not per subtask.
 */
public final class DestinationPartitioner implements Partitioner<String> {

    private static final long serialVersionUID = 1L;

    @Override
    public int partition(String destinationId, int numPartitions) {
        return Math.floorMod(destinationId.hashCode(), numPartitions);
    }

    /** The destination (delivery target) of a batch. */
    public static final class BatchDestination implements KeySelector<DeliveryBatch, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(DeliveryBatch batch) {
            return batch.destinationId();
        }
    }
}
