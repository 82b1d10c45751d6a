package dev.outflow.schemas.event;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast path says yes only to real instants in Segment's form; everything else goes to the lenient parser. */
class CanonicalTimestampTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-23T09:00:00Z", "2026-11-23T09:00:00.1Z", "2026-11-23T09:00:00.123Z",
        "2026-11-23T09:00:00.123456789Z", "2024-02-29T23:59:59Z", "2026-11-23T09:00:00+01:00",
        "2026-11-23T09:00:00.5-05:30", "0001-01-01T00:00:00Z"})
    void acceptsSegmentsFormWhenItIsARealInstant(String text) {
        assertThat(CanonicalTimestamp.matches(text)).isTrue();
        assertThat(OffsetDateTime.parse(text)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T09:60:00Z", "2026-11-23T09:00:60Z",
        "2026-11-23T09:00:00.Z", "2026-11-23T09:00:00.1234567890Z", "2026-11-23T09:00:00+18:00",
        "2026-11-23T09:00:00+01:60", "2026-11-23T09:00:00+0100", "2026-11-23 09:00:00Z", "2026-11-23T09:00Z",
        "2026-11-23T09:00:00", "2026-11-23", "yesterday at noon", "2026-1x-23T09:00:00Z", "2026-11-23T09:00:00z",
        "2026-11-23T09:00:00ZZ"})
    void leavesEverythingElseToTheLenientParser(String text) {
        assertThat(CanonicalTimestamp.matches(text)).isFalse();
    }
}
