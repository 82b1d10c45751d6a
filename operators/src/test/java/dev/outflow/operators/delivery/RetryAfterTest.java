package dev.outflow.operators.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void delaySecondsCountFromNow() {
        assertThat(RetryAfter.until("120", NOW)).isEqualTo(NOW + 120_000);
        assertThat(RetryAfter.until(" 0 ", NOW)).isEqualTo(NOW);
    }

    @Test
    void anHttpDateIsAnAbsoluteTime() {
        // 2023-11-14T22:13:20Z is NOW; the header names 90 s later
        assertThat(RetryAfter.until("Tue, 14 Nov 2023 22:14:50 GMT", NOW)).isEqualTo(NOW + 90_000);
    }

    @Test
    void aDateInThePastMeansNow() {
        assertThat(RetryAfter.until("Tue, 14 Nov 2023 20:00:00 GMT", NOW)).isEqualTo(NOW);
    }

    @Test
    void absurdDelaysAreCapped() {
        assertThat(RetryAfter.until("99999999999999", NOW)).isEqualTo(NOW + RetryAfter.MAX_DELAY_MS);
        assertThat(RetryAfter.until("86400", NOW)).isEqualTo(NOW + RetryAfter.MAX_DELAY_MS);
    }

    @Test
    void missingOrUnreadableValuesAreIgnored() {
        assertThat(RetryAfter.until(null, NOW)).isZero();
        assertThat(RetryAfter.until("", NOW)).isZero();
        assertThat(RetryAfter.until("soon", NOW)).isZero();
        assertThat(RetryAfter.until("-5", NOW)).isZero();
    }
}
