package dev.outflow.schemas.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record as read from the input topic, before any parsing: the bytes are kept so that a record that
 * cannot be parsed reaches the dead-letter topic exactly as it arrived.
 *
 * @param topic input topic
 * @param partition input partition
 * @param offset offset within the partition; with topic and partition it identifies the record for replay
 * @param kafkaTimestamp the record's Kafka timestamp (ms), used as receivedAt when the event has none
 * @param sourceId the source id from the Kafka header, or null when the header is absent
 * @param value the record value (empty for a tombstone)
 */
public record RawEvent(String topic, int partition, long offset, long kafkaTimestamp, String sourceId, byte[] value) {

    public RawEvent {
        Objects.requireNonNull(topic, "topic");
        value = value == null ? new byte[0] : value;
    }

    /** {@code topic/partition/offset}, the record's address in Kafka. */
    public String origin() {
        return topic + "/" + partition + "/" + offset;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawEvent that
                && topic.equals(that.topic)
                && partition == that.partition
                && offset == that.offset
                && kafkaTimestamp == that.kafkaTimestamp
                && Objects.equals(sourceId, that.sourceId)
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RawEvent[" + origin() + ", " + value.length + " bytes]";
    }
}
