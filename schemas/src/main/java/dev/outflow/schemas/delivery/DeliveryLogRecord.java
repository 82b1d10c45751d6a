package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.List;

/**
 * One line of the delivery log: one outcome at one destination, for every event it concerns. A delivered request
 * is one line listing the events it carried; a filtered or dead-lettered event is a line of its own.
 *
 * <p>One line per request rather than per event: the log is written for every event the job handles, and a
 * Kafka record per event and destination cost more than the delivery itself (three quarters of the outcome
 * operator's CPU and most of the broker's in the throughput benchmark).
 *
 * @param destinationId the destination
 * @param status the final status
 * @param reason the filter rule or the failure, null when delivered
 * @param httpStatus the last HTTP status, 0 when none
 * @param at when the outcome was recorded (ms)
 * @param events the events, at least one
 */
@TypeInfo(DeliveryLogRecordSerializer.Factory.class)
public record DeliveryLogRecord(
        String destinationId, DeliveryStatus status, String reason, int httpStatus, long at, List<Event> events) {

    /**
     * One event of a delivery-log line.
     *
     * @param messageId the event
     * @param attempts attempts made (0 when filtered)
     * @param latencyMs from routing to the final outcome
     * @param origin {@code topic/partition/offset} of the input record
     */
    public record Event(String messageId, int attempts, long latencyMs, String origin) {}

    public DeliveryLogRecord {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a delivery-log line needs at least one event");
        }
    }

    /** A line for one event. */
    public static DeliveryLogRecord of(String messageId, String destinationId, DeliveryStatus status, String reason,
            int httpStatus, int attempts, long latencyMs, long at, String origin) {
        return new DeliveryLogRecord(destinationId, status, reason, httpStatus, at,
                List.of(new Event(messageId, attempts, latencyMs, origin)));
    }

    /** The line's messageIds, in order. */
    public List<String> messageIds() {
        return events.stream().map(Event::messageId).toList();
    }

    public static DeliveryLogRecord filtered(String messageId, String destinationId, String reason, long at,
            String origin) {
        return of(messageId, destinationId, DeliveryStatus.FILTERED, reason, 0, 0, 0, at, origin);
    }
}
