package dev.outflow.schemas.delivery;

import dev.outflow.schemas.event.InvalidEvent;
import dev.outflow.schemas.event.RawEvent;

import java.util.Arrays;
import java.util.Objects;

/**
 * An input that was not delivered and never will be by itself: malformed input, or an event a destination
 * refused or could not take. It holds what is needed to understand and replay it, and no secret.
 *
 * @param kind {@code malformed} (input that is not a valid event) or {@code undeliverable}
 * @param reason why, as a code and a sentence
 * @param retryable true when the last failure was of a retryable kind (the destination may take it later)
 * @param destinationId the destination, null for malformed input
 * @param messageId the event's messageId, null for malformed input
 * @param topic input topic
 * @param partition input partition
 * @param offset input offset
 * @param batchIndex index inside a {@code batch} envelope, -1 otherwise
 * @param payloadEncoding {@code utf8} or {@code base64} (input that is not UTF-8 text)
 * @param payload the input record or event, as received
 * @param lastStatus last HTTP status, 0 when none
 * @param attempts every delivery attempt, oldest first
 * @param deadLetteredAt when it was written (ms)
 */
public record DeadLetter(
        String kind, String reason, boolean retryable, String destinationId, String messageId, String topic,
        int partition, long offset, int batchIndex, String payloadEncoding, String payload, int lastStatus,
        AttemptRecord[] attempts, long deadLetteredAt) {

    public static final String MALFORMED = "malformed";
    public static final String UNDELIVERABLE = "undeliverable";

    /** Input that never became an event. */
    public static DeadLetter malformed(RawEvent input, InvalidEvent invalid, long now) {
        return new DeadLetter(MALFORMED, invalid.describe(), false, null, null, input.topic(), input.partition(),
                input.offset(), invalid.batchIndex(), Payloads.encoding(invalid.bytes()), Payloads.text(invalid.bytes()),
                0, new AttemptRecord[0], now);
    }

    /** The reason code of a suppression-topic record that could not be applied. */
    public static final String BAD_SUPPRESSION = "bad_suppression";

    /**
     * A record of the suppression topic that could not be applied (no userId key, or an unknown value). It is not
     * an event, so it has no {@link InvalidEvent}; it is dead-lettered as malformed input of that topic.
     */
    public static DeadLetter unreadableSuppression(RawEvent record, String problem, long now) {
        return new DeadLetter(MALFORMED, BAD_SUPPRESSION + ": " + problem, false, null, null, record.topic(),
                record.partition(), record.offset(), -1, Payloads.encoding(record.value()),
                Payloads.text(record.value()), 0, new AttemptRecord[0], now);
    }

    /** An event that a destination did not take. {@code attempts} must not be empty. */
    public static DeadLetter undeliverable(RoutedEvent event, String reason, boolean retryable,
            AttemptRecord[] attempts, long now) {
        String[] origin = event.origin().split("/");
        String topic = origin.length == 3 ? origin[0] : event.origin();
        int partition = origin.length == 3 ? Integer.parseInt(origin[1]) : -1;
        long offset = origin.length == 3 ? Long.parseLong(origin[2]) : -1;
        int lastStatus = attempts.length == 0 ? 0 : attempts[attempts.length - 1].status();
        return new DeadLetter(UNDELIVERABLE, reason, retryable, event.destinationId(), event.messageId(), topic,
                partition, offset, -1, Payloads.encoding(event.payload()), Payloads.text(event.payload()), lastStatus,
                attempts, now);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeadLetter that
                && retryable == that.retryable
                && partition == that.partition
                && offset == that.offset
                && batchIndex == that.batchIndex
                && lastStatus == that.lastStatus
                && deadLetteredAt == that.deadLetteredAt
                && Objects.equals(kind, that.kind)
                && Objects.equals(reason, that.reason)
                && Objects.equals(destinationId, that.destinationId)
                && Objects.equals(messageId, that.messageId)
                && Objects.equals(topic, that.topic)
                && Objects.equals(payloadEncoding, that.payloadEncoding)
                && Objects.equals(payload, that.payload)
                && Arrays.equals(attempts, that.attempts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, reason, destinationId, messageId, topic, partition, offset, batchIndex);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + kind + ", " + reason + ", destination=" + destinationId + ", messageId=" + messageId
                + ", at " + topic + "/" + partition + "/" + offset + "]";
    }
}
