package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.ParkedBatch;

/**
 * Parked batches as JSON on the retry topic, keyed by route key so that a shard's retries stay in order within
 * one partition.
 */
public final class ParkedBatchSerializationSchema extends JsonRecordSerializationSchema<ParkedBatch> {

    public ParkedBatchSerializationSchema(String topic) {
        super(topic);
    }

    @Override
    protected String key(ParkedBatch batch) {
        return batch.routeKey();
    }
}
