package dev.outflow.schemas.delivery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Segment's classification of HTTP responses into delivered, retryable and permanent. */
class AttemptOutcomeTest {

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 204, 206, 299})
    void twoHundredsAreDelivered(int status) {
        assertThat(AttemptOutcome.ofStatus(status)).isEqualTo(AttemptOutcome.DELIVERED);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 423, 429, 500, 502, 503, 504, 505, 507, 511, 599})
    void timeoutLockedThrottledAndServerErrorsAreRetryable(int status) {
        assertThat(AttemptOutcome.ofStatus(status)).isEqualTo(AttemptOutcome.RETRYABLE);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 424, 428, 431, 451, 499, 501})
    void otherClientErrorsAndNotImplementedArePermanent(int status) {
        assertThat(AttemptOutcome.ofStatus(status)).isEqualTo(AttemptOutcome.PERMANENT);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 101, 199, 300, 301, 302, 304, 307, 399})
    void informationalAndRedirectResponsesAreNotDeliveries(int status) {
        // Redirects are not followed, so the event did not arrive; resending would get the same redirect.
        assertThat(AttemptOutcome.ofStatus(status)).isEqualTo(AttemptOutcome.PERMANENT);
    }

    @Test
    void everyStatusFrom100To599FollowsTheRule() {
        for (int status = 100; status <= 599; status++) {
            AttemptOutcome expected;
            if (status / 100 == 2) {
                expected = AttemptOutcome.DELIVERED;
            } else if (status == 408 || status == 423 || status == 429 || (status / 100 == 5 && status != 501)) {
                expected = AttemptOutcome.RETRYABLE;
            } else {
                expected = AttemptOutcome.PERMANENT;
            }
            assertThat(AttemptOutcome.ofStatus(status)).as("status %d", status).isEqualTo(expected);
        }
    }
}
