package dev.outflow.schemas.kafka;

import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the suppression topic: key = userId, value = {@code suppress_only}, {@code suppress_with_delete}, or
 * {@code unsuppress} / a tombstone to lift the suppression. A record it cannot read is not dropped here: it becomes
 * an invalid change that the routing stage dead-letters, so a suppression that did not take effect is visible.
 */
public final class SuppressionChangeDeserializationSchema implements KafkaRecordDeserializationSchema<SuppressionChange> {

    /** The value that lifts a suppression, next to a tombstone (some tools cannot produce a null value). */
    public static final String UNSUPPRESS = "unsuppress";

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SuppressionChange> out) {
        out.collect(read(record.key(), record.value(),
                new RawEvent(record.topic(), record.partition(), record.offset(), record.timestamp(), null,
                        record.value())));
    }

    /** Public so the CLI and tests read records exactly as the job does. */
    public static SuppressionChange read(byte[] key, byte[] value, RawEvent record) {
        String userId = key == null ? "" : new String(key, StandardCharsets.UTF_8).trim();
        if (userId.isEmpty()) {
            return SuppressionChange.invalid("the record has no key: the key must be the userId", record);
        }
        if (value == null) {
            return SuppressionChange.lift(userId, record);
        }
        String regulation = new String(value, StandardCharsets.UTF_8).trim().toLowerCase(Locale.ROOT);
        if (regulation.equals(UNSUPPRESS)) {
            return SuppressionChange.lift(userId, record);
        }
        return SuppressionMode.fromWireName(regulation)
                .map(mode -> SuppressionChange.suppress(userId, mode, record))
                .orElseGet(() -> SuppressionChange.invalid("value '" + abbreviate(regulation) + "' for user '"
                        + userId + "' is not suppress_only, suppress_with_delete, unsuppress or a tombstone", record));
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    @Override
    public TypeInformation<SuppressionChange> getProducedType() {
        return TypeInformation.of(SuppressionChange.class);
    }
}
