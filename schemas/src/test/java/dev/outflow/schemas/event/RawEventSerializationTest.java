package dev.outflow.schemas.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.outflow.schemas.testutils.FlinkSerialization.assertPojoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RawEvent is what the Kafka source hands to the first operator. SegmentEvent never crosses an operator (the
 * router serializes the payload itself), so it has no serializer test.
 */
class RawEventSerializationTest {

    @Test
    void rawEventRoundTripsThroughFlinksPojoSerializer() {
        RawEvent event = new RawEvent("events", 3, 42, 1_700_000_000_000L, "web",
                "{\"type\":\"page\"}".getBytes(StandardCharsets.UTF_8));

        RawEvent read = assertPojoRoundTrip(RawEvent.class, event);

        assertThat(read.origin()).isEqualTo("events/3/42");
        assertThat(read.value()).isEqualTo(event.value());
    }

    @Test
    void aTombstoneWithoutSourceIdRoundTripsAsAnEmptyValue() {
        RawEvent read = assertPojoRoundTrip(RawEvent.class, new RawEvent("events", 0, 0, 0, null, null));

        assertThat(read.value()).isEmpty();
        assertThat(read.sourceId()).isNull();
    }
}
