package dev.outflow.jobs;

import dev.outflow.schemas.delivery.ParkedBatch;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys batches coming back for a retry by the same destination shard as their first trip. */
public final class ParkedRouteKeySelector implements KeySelector<ParkedBatch, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(ParkedBatch batch) {
        return batch.routeKey();
    }
}
