package dev.outflow.operators.delivery;

import dev.outflow.operators.delivery.CircuitBreaker.Result;
import dev.outflow.operators.delivery.CircuitBreaker.State;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest {

    private static final long OPEN_MS = 10_000;
    private final CircuitBreaker breaker = new CircuitBreaker(OPEN_MS);

    @Test
    void staysClosedUntilEnoughCallsHaveFailed() {
        for (int i = 0; i < CircuitBreaker.MIN_CALLS - 1; i++) {
            breaker.record(Result.FAILURE, 0);
        }
        assertThat(breaker.state()).as("too few calls to judge").isEqualTo(State.CLOSED);

        breaker.record(Result.FAILURE, 0);

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.tryAcquire(OPEN_MS - 1)).isFalse();
        assertThat(breaker.retryAt(5)).isEqualTo(OPEN_MS);
    }

    @Test
    void opensAtHalfTheWindowFailingButNotBelow() {
        for (int i = 0; i < CircuitBreaker.WINDOW; i++) {
            breaker.record(i % 3 == 0 ? Result.FAILURE : Result.SUCCESS, 0);
        }
        assertThat(breaker.state()).as("a third failing").isEqualTo(State.CLOSED);

        for (int i = 0; i < CircuitBreaker.WINDOW / 2; i++) {
            breaker.record(Result.FAILURE, 0);
        }
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void throttlingIsNotFailure() {
        for (int i = 0; i < 3 * CircuitBreaker.WINDOW; i++) {
            breaker.record(Result.THROTTLED, 0);
        }
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.tryAcquire(0)).isTrue();
    }

    @Test
    void afterTheOpenPeriodOneProbeGoesAndItsSuccessCloses() {
        open(0);

        assertThat(breaker.tryAcquire(OPEN_MS)).as("the probe").isTrue();
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.tryAcquire(OPEN_MS + 1)).as("one probe at a time").isFalse();

        breaker.record(Result.SUCCESS, OPEN_MS + 50);

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.tryAcquire(OPEN_MS + 60)).isTrue();
        breaker.record(Result.FAILURE, OPEN_MS + 60);
        assertThat(breaker.state()).as("the failure history was reset").isEqualTo(State.CLOSED);
    }

    @Test
    void aFailedProbeReopensForTwiceAsLongUpToEightTimes() {
        open(0);
        long now = OPEN_MS;
        long[] expectedOpen = {2, 4, 8, 8};
        for (long factor : expectedOpen) {
            assertThat(breaker.tryAcquire(now)).isTrue();
            breaker.record(Result.FAILURE, now);
            assertThat(breaker.state()).isEqualTo(State.OPEN);
            assertThat(breaker.retryAt(now)).isEqualTo(now + factor * OPEN_MS);
            now += factor * OPEN_MS;
        }
        assertThat(breaker.tryAcquire(now)).isTrue();
        breaker.record(Result.SUCCESS, now);
        open(now);
        assertThat(breaker.retryAt(now)).as("success resets the doubling").isEqualTo(now + OPEN_MS);
    }

    @Test
    void aThrottledProbeFreesTheProbeSlot() {
        open(0);
        assertThat(breaker.tryAcquire(OPEN_MS)).isTrue();

        breaker.record(Result.THROTTLED, OPEN_MS + 5);

        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(breaker.tryAcquire(OPEN_MS + 6)).isTrue();
    }

    private void open(long at) {
        for (int i = 0; i < CircuitBreaker.WINDOW && breaker.state() == State.CLOSED; i++) {
            breaker.record(Result.FAILURE, at);
        }
    }
}
