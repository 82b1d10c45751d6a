package dev.outflow.schemas.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoutedEventTest {

    private final RoutedEvent fresh = new RoutedEvent("crm", 0, "m1", "track", new byte[] {'{', '}'}, "in/0/1", 50);

    @Test
    void aFreshEventHasNoAttempts() {
        assertThat(fresh.attempts()).isZero();
        assertThat(fresh.firstAttemptAt()).isZero();
        assertThat(fresh.history()).isEmpty();
        assertThat(fresh.lastAttempt()).isNull();
    }

    @Test
    void eachAttemptIsCountedAndTheFirstOneStartsTheWindow() {
        RoutedEvent twice = fresh.withAttempt(new AttemptRecord(1_000, 503, "http 503", 12))
                .withAttempt(new AttemptRecord(3_000, 0, "timeout", 5_000));

        assertThat(twice.attempts()).isEqualTo(2);
        assertThat(twice.firstAttemptAt()).isEqualTo(1_000);
        assertThat(twice.history()).extracting(AttemptRecord::status).containsExactly(503, 0);
        assertThat(twice.lastAttempt().error()).isEqualTo("timeout");
        assertThat(fresh.attempts()).as("the original is unchanged").isZero();
    }

    @Test
    void theHistoryKeepsTheMostRecentAttemptsButTheCountKeepsThemAll() {
        RoutedEvent event = fresh;
        for (int i = 1; i <= RoutedEvent.MAX_HISTORY + 8; i++) {
            event = event.withAttempt(new AttemptRecord(i, 503, "http 503", 1));
        }

        assertThat(event.attempts()).isEqualTo(RoutedEvent.MAX_HISTORY + 8);
        assertThat(event.history()).hasSize(RoutedEvent.MAX_HISTORY);
        assertThat(event.history()[0].at()).isEqualTo(9);
        assertThat(event.lastAttempt().at()).isEqualTo(RoutedEvent.MAX_HISTORY + 8);
        assertThat(event.firstAttemptAt()).isEqualTo(1);
    }
}
