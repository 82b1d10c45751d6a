package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One line of the delivery log: what happened to one event for one destination.
 *
 * @param messageId the event
 * @param destinationId the destination (for malformed input: null, it never reached routing)
 * @param status the final status
 * @param reason the filter rule or the failure, null when delivered
 * @param httpStatus the last HTTP status, 0 when none
 * @param attempts attempts made (0 when filtered)
 * @param latencyMs from routing to the final outcome
 * @param at when the outcome was recorded (ms)
 * @param origin {@code topic/partition/offset} of the input record
 */
@TypeInfo(DeliveryLogRecordSerializer.Factory.class)
public record DeliveryLogRecord(
        String messageId, String destinationId, DeliveryStatus status, String reason, int httpStatus, int attempts,
        long latencyMs, long at, String origin) {

    public static DeliveryLogRecord filtered(String messageId, String destinationId, String reason, long at,
            String origin) {
        return new DeliveryLogRecord(messageId, destinationId, DeliveryStatus.FILTERED, reason, 0, 0, 0, at, origin);
    }
}
