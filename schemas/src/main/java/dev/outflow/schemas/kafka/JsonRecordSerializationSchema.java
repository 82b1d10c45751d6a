package dev.outflow.schemas.kafka;

import dev.outflow.schemas.event.Json;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes one of the job's output records as JSON to a topic, keyed so that all records of one event land in
 * one partition (consumers can then follow an event in order).
 */
public abstract class JsonRecordSerializationSchema<T> implements KafkaRecordSerializationSchema<T> {

    private final String topic;

    protected JsonRecordSerializationSchema(String topic) {
        this.topic = topic;
    }

    /** The record key, or null to let Kafka spread keyless records. */
    protected abstract String key(T element);

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String key = key(element);
        return new ProducerRecord<>(topic, null, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value(element));
    }

    /** The record value: the element as JSON, as Jackson's data binding writes it. */
    protected byte[] value(T element) {
        return Json.toBytes(element);
    }
}
