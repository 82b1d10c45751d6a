package dev.outflow.schemas.event;

import java.util.List;

/** What one input record turned into: valid events (several for a {@code batch} envelope) and rejected input. */
public record ParseResult(List<SegmentEvent> events, List<InvalidEvent> invalid) {

    public static ParseResult rejected(InvalidReason reason, String detail, byte[] bytes) {
        return new ParseResult(List.of(), List.of(new InvalidEvent(reason, detail, -1, bytes)));
    }
}
