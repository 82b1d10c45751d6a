package dev.outflow.schemas.catalog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(4 * 3_600_000L, 1_000, 600_000);

    @Test
    void theMiddleOfTheJitterRangeDoublesFromTheInitialWait() {
        assertThat(policy.backoffMs(1, 0.5)).isEqualTo(1_000);
        assertThat(policy.backoffMs(2, 0.5)).isEqualTo(2_000);
        assertThat(policy.backoffMs(5, 0.5)).isEqualTo(16_000);
    }

    @Test
    void waitsAreCappedAtTheMaximumEvenAfterManyAttempts() {
        assertThat(policy.backoffMs(10, 0.5)).isEqualTo(512_000);
        assertThat(policy.backoffMs(11, 0.5)).isEqualTo(600_000);
        assertThat(policy.backoffMs(1_000, 0.5)).isEqualTo(600_000);
    }

    @Test
    void jitterSpreadsEachWaitOverHalfToOneAndAHalfTimes() {
        assertThat(policy.backoffMs(3, 0.0)).isEqualTo(2_000);
        assertThat(policy.backoffMs(3, 0.999_999)).isBetween(5_999L, 6_000L);
    }

    @Test
    void heldBackEventsWaitAsLongAgainAsTheyHaveWaitedBetweenTheInitialAndTheMaximumWait() {
        assertThat(policy.holdBackoffMs(200, 0.5)).isEqualTo(1_000);
        assertThat(policy.holdBackoffMs(45_000, 0.5)).isEqualTo(45_000);
        assertThat(policy.holdBackoffMs(3 * 3_600_000L, 0.5)).isEqualTo(600_000);
        assertThat(policy.holdBackoffMs(45_000, 0.0)).isEqualTo(22_500);
    }

    @Test
    void compressionDividesEveryDuration() {
        assertThat(RetryPolicy.DEFAULTS.compressed(240)).isEqualTo(new RetryPolicy(60_000, 4, 2_500));
    }

    @Test
    void inconsistentPoliciesAreRefused() {
        assertThatThrownBy(() -> new RetryPolicy(1_000, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1_000, 100, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
