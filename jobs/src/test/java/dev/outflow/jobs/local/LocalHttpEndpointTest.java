package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.local.EndpointBehavior.Reply;
import dev.outflow.schemas.event.Json;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fault-injecting endpoint as a client meets it, and what it records. */
class LocalHttpEndpointTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void multiStatusAnswersOneResultPerEventInOrderAndCountsOnlyAcceptedItems() throws Exception {
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.start("partial",
                (events, now) -> Reply.multiStatus(List.of(200, 503, 200)))) {
            HttpResponse<String> response = post(endpoint, "[{\"messageId\":\"a\"},{\"messageId\":\"b\"},{\"messageId\":\"c\"}]");
            assertThat(response.statusCode()).isEqualTo(207);
            JsonNode results = Json.MAPPER.readTree(response.body()).path("results");
            assertThat(results).hasSize(3);
            assertThat(results.get(1).path("messageId").asText()).isEqualTo("b");
            assertThat(results.get(1).path("status").asInt()).isEqualTo(503);
            assertThat(endpoint.acceptedMessageIds()).containsExactlyInAnyOrder("a", "c");
            assertThat(endpoint.acceptedOnFirstAttempt()).isEqualTo(2);
            assertThat(endpoint.requestLog()).singleElement()
                    .satisfies(request -> assertThat(request.messageIds()).containsExactly("a", "b", "c"))
                    .satisfies(request -> assertThat(request.accepted()).isEqualTo(2));
        }
    }

    @Test
    void anEndpointReadingIdsOnlyCountsTheSameEventsAndKeepsNoBodies() throws Exception {
        List<List<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.startReadingIdsOnly("ids", (events, now) -> {
            seen.add(events.stream().map(event -> event.path("messageId").asText()).toList());
            return Reply.of(200);
        })) {
            post(endpoint, "[{\"context\":{\"messageId\":\"nested\"},\"messageId\":\"a\",\"tags\":[1,{\"x\":2}]},"
                    + "{\"messageId\":\"b\"}]");
            post(endpoint, "{\"type\":\"track\",\"messageId\":\"c\"}");
            HttpResponse<String> notJson = post(endpoint, "[{\"messageId\":\"d\"} trailing");

            assertThat(seen).containsExactly(List.of("a", "b"), List.of("c"));
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(endpoint.acceptedMessageIds()).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(endpoint.received()).isEmpty();
        }
    }

    @Test
    void aCountingEndpointCountsEventsAndRecordsNoneOfThem() throws Exception {
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.startCounting("counts",
                (events, now) -> Reply.multiStatus(events.stream()
                        .map(event -> event.path("messageId").asText().equals("b") ? 503 : 200).toList()))) {
            HttpResponse<String> partial = post(endpoint, "[{\"messageId\":\"a\"},{\"messageId\":\"b\"}]");
            post(endpoint, "[{\"messageId\":\"a\"}]");

            assertThat(partial.body()).contains("\"messageId\":\"b\",\"status\":503");
            assertThat(endpoint.requests()).isEqualTo(2);
            assertThat(endpoint.acceptedEvents()).as("a, then a again").isEqualTo(2);
            assertThat(endpoint.acceptedMessageIds()).isEmpty();
            assertThat(endpoint.requestLog()).isEmpty();
        }
    }

    @Test
    void aCountingEndpointTakesTheEventsFromTheIdempotencyKeyTheJobSends() throws Exception {
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.startCounting("counts", EndpointBehavior.healthy())) {
            HttpResponse<String> batch = postWithKey(endpoint, "batch:3:9b1e0c7d2a4f68e3c5d1b0a97f3e2d14",
                    "[{},{},{}]");
            HttpResponse<String> single = postWithKey(endpoint, "m4", "{}");

            assertThat(batch.statusCode()).isEqualTo(200);
            assertThat(single.statusCode()).isEqualTo(200);
            assertThat(endpoint.acceptedEvents()).isEqualTo(4);
            assertThat(postWithKey(endpoint, "batch:many:00", "[{}]").statusCode()).as("a key that does not count")
                    .isEqualTo(400);
        }
    }

    @Test
    void bodiesLargerThanTheConnectionBufferAreReadToTheirEndSoTheNextRequestOnTheConnectionIsIntact()
            throws Exception {
        String padding = "x".repeat(3 * LocalHttpEndpoint.BUFFER_BYTES);
        String large = "[{\"messageId\":\"a\",\"p\":\"" + padding + "\"},{\"messageId\":\"b\"}]";
        try (LocalHttpEndpoint counting = LocalHttpEndpoint.startCounting("counts", EndpointBehavior.healthy());
                LocalHttpEndpoint readingIds = LocalHttpEndpoint.startReadingIdsOnly("ids",
                        EndpointBehavior.healthy())) {
            for (int i = 0; i < 3; i++) {
                assertThat(postWithKey(counting, "batch:2:9b1e0c7d2a4f68e3c5d1b0a97f3e2d14", large).statusCode())
                        .isEqualTo(200);
                assertThat(post(readingIds, large).statusCode()).isEqualTo(200);
            }

            assertThat(counting.requests())
                    .as("each body read to its end, so the kept-alive connection takes the next request")
                    .isEqualTo(3);
            assertThat(counting.acceptedEvents()).isEqualTo(6);
            assertThat(readingIds.acceptedEvents()).isEqualTo(6);
            assertThat(readingIds.acceptedMessageIds()).containsExactlyInAnyOrder("a", "b");
        }
    }

    private HttpResponse<String> postWithKey(LocalHttpEndpoint endpoint, String key, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(endpoint.url("/in")))
                .timeout(Duration.ofSeconds(5)).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestInsideAnAnnouncedRetryAfterIsCountedAndDuplicatesToo() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.start("throttled",
                (events, now) -> calls.getAndIncrement() == 0 ? Reply.of(429).withRetryAfter(5) : Reply.of(200))) {
            HttpResponse<String> throttled = post(endpoint, "{\"messageId\":\"a\"}");
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(throttled.headers().firstValue("Retry-After")).hasValue("5");
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> endpoint.insideRetryAfter(System.currentTimeMillis()));
            post(endpoint, "{\"messageId\":\"a\"}");
            post(endpoint, "{\"messageId\":\"a\"}");
            assertThat(endpoint.retryAfterViolations()).isEqualTo(2);
            assertThat(endpoint.duplicates()).isEqualTo(1);
            assertThat(endpoint.acceptedOnFirstAttempt()).isZero();
        }
    }

    @Test
    void aBlackHoleNeverAnswersAndClosingDoesNotWaitForItsRequests() throws Exception {
        LocalHttpEndpoint endpoint = LocalHttpEndpoint.start("black-hole", EndpointBehavior.blackHole(600_000));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url("/in")))
                .timeout(Duration.ofMillis(300))
                .POST(HttpRequest.BodyPublishers.ofString("{\"messageId\":\"a\"}")).build();
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        long closing = System.nanoTime();
        endpoint.close();
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(3));
        assertThat(endpoint.requestLog()).singleElement()
                .satisfies(held -> assertThat(held.status()).isEqualTo(Reply.NO_ANSWER));
        assertThat(endpoint.acceptedMessageIds()).isEmpty();
    }

    @Test
    void aThrottledEndpointTakesItsQuotaPerSecondThenNamesTheEndOfTheWindow() {
        EndpointBehavior throttled = EndpointBehavior.throttled(2);
        assertThat(throttled.reply(List.of(), 10_000).status()).isEqualTo(200);
        assertThat(throttled.reply(List.of(), 10_100).status()).isEqualTo(200);
        Reply over = throttled.reply(List.of(), 10_200);
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.retryAfterSeconds()).isEqualTo(1);
        assertThat(throttled.reply(List.of(), 11_050).status()).isEqualTo(200);
    }

    @Test
    void anOutageAnswers503ForItsStretchThenRecovers() {
        EndpointBehavior outage = EndpointBehavior.outage(1_000, 2_000);
        assertThat(outage.reply(List.of(), 50_000).status()).isEqualTo(200);
        assertThat(outage.reply(List.of(), 51_000).status()).isEqualTo(503);
        assertThat(outage.reply(List.of(), 52_999).status()).isEqualTo(503);
        assertThat(outage.reply(List.of(), 53_000).status()).isEqualTo(200);
    }

    private HttpResponse<String> post(LocalHttpEndpoint endpoint, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(endpoint.url("/in")))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
