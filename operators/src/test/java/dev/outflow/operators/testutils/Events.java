package dev.outflow.operators.testutils;

import dev.outflow.schemas.event.ParseResult;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.event.SegmentEvent;
import dev.outflow.schemas.event.SegmentEventParser;

import java.nio.charset.StandardCharsets;

/** Segment events for tests, through the real parser (so they are normalized as in the job). */
public final class Events {

    private Events() {}

    public static SegmentEvent parse(String json) {
        ParseResult result = new SegmentEventParser().parse(
                new RawEvent("events", 0, 0, 0, null, json.getBytes(StandardCharsets.UTF_8)));
        if (!result.invalid().isEmpty()) {
            throw new IllegalArgumentException("not a valid event: " + result.invalid().get(0).describe());
        }
        return result.events().get(0);
    }
}
