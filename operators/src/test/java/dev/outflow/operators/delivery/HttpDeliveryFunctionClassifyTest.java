package dev.outflow.operators.delivery;

import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** How one HTTP exchange, or its failure, becomes a delivery attempt. */
class HttpDeliveryFunctionClassifyTest {

    private static final DeliveryBatch BATCH = new DeliveryBatch("crm", 0, new RoutedEvent[] {
        new RoutedEvent("crm", 0, "m1", "track", "{}".getBytes(StandardCharsets.UTF_8), "events/0/1", 0)}, 2, 0);
    private static final DeliveryBatch TWO = new DeliveryBatch("crm", 0, new RoutedEvent[] {
        BATCH.events()[0],
        new RoutedEvent("crm", 0, "m2", "track", "{}".getBytes(StandardCharsets.UTF_8), "events/0/2", 0)}, 4, 0);

    @ParameterizedTest
    @CsvSource({
        "200, DELIVERED",
        "204, DELIVERED",
        "408, RETRYABLE",
        "429, RETRYABLE",
        "503, RETRYABLE",
        "400, PERMANENT",
        "501, PERMANENT"
    })
    void aResponseIsClassifiedByItsStatus(int status, AttemptOutcome expected) {
        DeliveryAttempt attempt = classify(new HttpResult(status, Map.of(), new byte[0]), null);

        assertThat(attempt.outcome()).isEqualTo(expected);
        assertThat(attempt.status()).isEqualTo(status);
        assertThat(attempt.error()).isEqualTo(expected == AttemptOutcome.DELIVERED ? null : "http " + status);
        assertThat(attempt.attempt()).isEqualTo(1);
        assertThat(attempt.startedAt()).isEqualTo(1_000L);
        assertThat(attempt.latencyMs()).isEqualTo(25L);
        assertThat(attempt.batch()).isSameAs(BATCH);
    }

    @Test
    void timeoutsAreRetryable() {
        assertRetryable(new TimeoutException("no response within 10 ms"), "timeout: no response within 10 ms");
        assertRetryable(new SocketTimeoutException("read timed out"), "timeout: read timed out");
    }

    @Test
    void connectionErrorsAreRetryable() {
        assertRetryable(new ConnectException("Connection refused"), "connection failed: Connection refused");
    }

    @Test
    void otherIoErrorsAreRetryableAndNamed() {
        assertRetryable(new UnknownHostException("crm.example"), "request failed: UnknownHostException: crm.example");
        assertRetryable(new IOException(), "request failed: IOException");
    }

    @Test
    void theCauseOfACompletionExceptionIsWhatCounts() {
        assertRetryable(new CompletionException(new ConnectException("refused")), "connection failed: refused");
    }

    @Test
    void aRetryAfterOn429Or503SetsNotBefore() {
        DeliveryAttempt throttled = classify(new HttpResult(429, Map.of("retry-after", "30"), new byte[0]), null);
        assertThat(throttled.outcome()).isEqualTo(AttemptOutcome.RETRYABLE);
        assertThat(throttled.notBefore()).isEqualTo(1_025L + 30_000);

        DeliveryAttempt unavailable = classify(
                new HttpResult(503, Map.of("retry-after", "Thu, 01 Jan 1970 00:01:00 GMT"), new byte[0]), null);
        assertThat(unavailable.notBefore()).isEqualTo(60_000L);

        DeliveryAttempt serverError = classify(new HttpResult(500, Map.of("retry-after", "30"), new byte[0]), null);
        assertThat(serverError.notBefore()).as("only 429 and 503 carry a Retry-After we honour").isZero();
    }

    @Test
    void aRetryAfterCountsFromWhenTheAnswerCameIn() {
        // started at 1,000 and 25 whole milliseconds later, but the answer was in at 1,026
        DeliveryAttempt throttled = HttpDeliveryFunction.classify(BATCH, 1,
                new HttpResult(429, Map.of("retry-after", "1"), new byte[0]), null, 1_000L, 25L, 1_026L);
        assertThat(throttled.notBefore()).isEqualTo(1_026L + 1_000);
    }

    @Test
    void a207WithFailedItemsIsPartialWithOneStatusPerEvent() {
        byte[] body = "{\"results\":[{\"messageId\":\"m2\",\"status\":503},{\"messageId\":\"m1\",\"status\":200}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);

        DeliveryAttempt attempt = HttpDeliveryFunction.classify(TWO, new HttpResult(207, Map.of(), body), null,
                1_000L, 25L);

        assertThat(attempt.outcome()).isEqualTo(AttemptOutcome.PARTIAL);
        assertThat(attempt.itemStatuses()).containsExactly(200, 503);
        assertThat(attempt.error()).isEqualTo("http 207: 1 of 2 items failed");
    }

    @Test
    void a207WhereEveryItemSucceededIsDelivered() {
        byte[] body = "[200, 201]".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(HttpDeliveryFunction.classify(TWO, new HttpResult(207, Map.of(), body), null, 1_000L, 25L)
                .outcome()).isEqualTo(AttemptOutcome.DELIVERED);
    }

    private static void assertRetryable(Throwable error, String expectedProblem) {
        DeliveryAttempt attempt = classify(null, error);

        assertThat(attempt.outcome()).isEqualTo(AttemptOutcome.RETRYABLE);
        assertThat(attempt.status()).isZero();
        assertThat(attempt.error()).isEqualTo(expectedProblem);
    }

    private static DeliveryAttempt classify(HttpResult response, Throwable error) {
        return HttpDeliveryFunction.classify(BATCH, response, error, 1_000L, 25L);
    }
}
