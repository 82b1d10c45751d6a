package dev.outflow.schemas.event;

/**
 * Input that is not a valid Segment event, with why. The bytes are the record as received or, for one item of
 * a {@code batch} envelope, that item as it stood in the envelope.
 *
 * @param reason a stable machine-readable code
 * @param detail a sentence for people
 * @param batchIndex the index within a {@code batch} envelope, or -1 when the record was a single event
 * @param bytes the offending input
 */
public record InvalidEvent(InvalidReason reason, String detail, int batchIndex, byte[] bytes) {

    /** {@code reason: detail}, as written to the dead-letter topic. */
    public String describe() {
        return reason.code() + ": " + detail;
    }
}
