package dev.outflow.schemas.privacy;

import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.event.RawEvent;

/**
 * One record of the suppression topic, read: a user is suppressed (with a regulation), a suppression is lifted, or
 * the record could not be read (kept whole, so it can be dead-lettered where it can be found and fixed).
 *
 * @param userId the record key; null when the record has none
 * @param mode the regulation, or null when the suppression is lifted (a tombstone or {@code unsuppress})
 * @param problem why the record cannot be applied, or null when it can
 * @param record the Kafka record as received (topic, partition, offset, value)
 */
public record SuppressionChange(String userId, SuppressionMode mode, String problem, RawEvent record) {

    public static SuppressionChange suppress(String userId, SuppressionMode mode, RawEvent record) {
        return new SuppressionChange(userId, mode, null, record);
    }

    public static SuppressionChange lift(String userId, RawEvent record) {
        return new SuppressionChange(userId, null, null, record);
    }

    public static SuppressionChange invalid(String problem, RawEvent record) {
        return new SuppressionChange(null, null, problem, record);
    }

    public boolean valid() {
        return problem == null;
    }

    public boolean lifts() {
        return valid() && mode == null;
    }
}
