package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.ParkedBatch;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Parked batches on the retry topic ({@link RetryRecordFormat}), keyed by route key so that a shard's retries stay
 * in order within one partition.
 */
public final class ParkedBatchSerializationSchema implements KafkaRecordSerializationSchema<ParkedBatch> {

    private final String topic;

    public ParkedBatchSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ParkedBatch batch, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, batch.routeKey().getBytes(StandardCharsets.UTF_8),
                RetryRecordFormat.write(batch));
    }
}
