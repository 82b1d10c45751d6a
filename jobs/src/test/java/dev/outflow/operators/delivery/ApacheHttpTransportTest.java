package dev.outflow.operators.delivery;

import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP client against real endpoints (in this module, where the local endpoints are), used as the delivery
 * lanes use it: a destination at its concurrency limit sends its next request from the completion of the last one,
 * as {@link ConcurrencyLimiter} does.
 */
class ApacheHttpTransportTest {

    private static final int DESTINATIONS = 3;
    private static final int LIMIT = 8;
    private static final int ROUNDS = 10;
    private static final int REQUESTS_PER_ROUND = 40;
    /** A batch of a hundred events of about 600 bytes, as the throughput benchmark sends. */
    private static final byte[] BODY = ("[" + String.join(",", Collections.nCopies(100,
            "{\"messageId\":\"m\",\"padding\":\"" + "x".repeat(560) + "\"}")) + "]")
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void destinationsAtTheirLimitKeepTheirConnectionsAlive() throws Exception {
        List<LocalHttpEndpoint> endpoints = new ArrayList<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        try (HttpTransport transport = new ApacheHttpTransport(DESTINATIONS * LIMIT)) {
            for (int i = 0; i < DESTINATIONS; i++) {
                endpoints.add(LocalHttpEndpoint.startCounting("destination-" + i, EndpointBehavior.healthy()));
            }
            // the destinations busy in turn, as traffic shifts between them: an idle destination's connections are
            // the first a full pool would close to make room for a busy one's
            for (int round = 0; round < ROUNDS; round++) {
                for (LocalHttpEndpoint endpoint : endpoints) {
                    CountDownLatch done = new CountDownLatch(LIMIT);
                    AtomicInteger left = new AtomicInteger(REQUESTS_PER_ROUND);
                    for (int slot = 0; slot < LIMIT; slot++) {
                        sendNext(transport, endpoint.url("/batch"), left, done, failures);
                    }
                    assertThat(done.await(30, TimeUnit.SECONDS)).as("every request answered in time").isTrue();
                }
            }
        } finally {
            endpoints.forEach(LocalHttpEndpoint::close);
        }

        assertThat(failures).isEmpty();
        for (LocalHttpEndpoint endpoint : endpoints) {
            assertThat(endpoint.requests()).isEqualTo(ROUNDS * REQUESTS_PER_ROUND);
            // at its limit a destination briefly needs a connection more (its next request goes out before the last
            // one's connection is back in the pool); one closed to make room for another shows as many more
            assertThat(endpoint.connections())
                    .as("connections %s was sent %d requests on", endpoint.name(), ROUNDS * REQUESTS_PER_ROUND)
                    .isLessThanOrEqualTo(LIMIT + 2);
        }
    }

    @Test
    void completedRequestsLeaveNoDeadlineAndAClosedTransportNoThread() throws Exception {
        long deadlineThreadsBefore = deadlineThreads();
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.startCounting("healthy", EndpointBehavior.healthy());
                ApacheHttpTransport transport = new ApacheHttpTransport(LIMIT)) {
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch done = new CountDownLatch(LIMIT);
            AtomicInteger left = new AtomicInteger(REQUESTS_PER_ROUND * 5);
            for (int slot = 0; slot < LIMIT; slot++) {
                sendNext(transport, endpoint.url("/batch"), left, done, failures);
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every request answered in time").isTrue();

            assertThat(failures).isEmpty();
            // each deadline is dropped by its request's completion, which may still be running on the client's
            // thread when the last answer has counted down the latch
            await().atMost(Duration.ofSeconds(5)).until(() -> transport.pendingDeadlines() == 0);
        }
        // closed, the transport leaves no thread behind to hold the job's class loader
        await().atMost(Duration.ofSeconds(10)).until(() -> deadlineThreads() <= deadlineThreadsBefore);
    }

    private static long deadlineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("outflow-http-deadlines"))
                .count();
    }

    @Test
    void aRequestWithoutAnAnswerFailsAsATimeoutAtItsDeadline() throws Exception {
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.startCounting("slow", EndpointBehavior.slow(5_000));
                ApacheHttpTransport transport = new ApacheHttpTransport(LIMIT)) {
            long start = System.nanoTime();
            CompletableFuture<HttpResult> answer = transport.post(endpoint.url("/batch"), Map.of(), BODY, 300);

            assertThatThrownBy(() -> answer.get(4, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("no response within 300 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(300L, 3_000L);
            assertThat(transport.pendingDeadlines()).isZero();
        }
    }

    private static void sendNext(HttpTransport transport, String url, AtomicInteger left, CountDownLatch done,
            Queue<String> failures) {
        if (left.getAndDecrement() <= 0) {
            done.countDown();
            return;
        }
        transport.post(url, Map.of(), BODY, 10_000).whenComplete((result, error) -> {
            if (error != null) {
                failures.add(error.toString());
            } else if (result.status() != 200) {
                failures.add("status " + result.status());
            }
            sendNext(transport, url, left, done, failures);
        });
    }
}
