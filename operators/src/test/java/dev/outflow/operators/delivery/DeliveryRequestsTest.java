package dev.outflow.operators.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.Json;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The request a batch becomes: body shape by destination mode, configured headers, the idempotency key. */
class DeliveryRequestsTest {

    private static final RoutedEvent FIRST = event("m1", "{\"type\":\"track\",\"event\":\"A\"}");
    private static final RoutedEvent SECOND = event("m2", "{\"type\":\"page\",\"name\":\"B\"}");
    private static final RoutedEvent THIRD = event("m3", "{\"type\":\"identify\",\"traits\":{\"n\":\"é\"}}");

    @Test
    void aSingleEventDestinationGetsTheEventItself() {
        byte[] body = DeliveryRequests.body(batch(FIRST), false);

        assertThat(body).isEqualTo(FIRST.payload());
        assertThat(Json.readTree(body).isObject()).isTrue();
    }

    @Test
    void aBatchingDestinationGetsAnArrayEvenForOneEvent() {
        byte[] body = DeliveryRequests.body(batch(FIRST), true);

        assertThat(text(body)).isEqualTo("[" + text(FIRST.payload()) + "]");
    }

    @Test
    void aBatchIsAJsonArrayOfTheEventsInOrder() {
        JsonNode body = Json.readTree(DeliveryRequests.body(batch(FIRST, SECOND, THIRD), true));

        assertThat(body.isArray()).isTrue();
        assertThat(body).hasSize(3);
        assertThat(body.get(0)).isEqualTo(Json.readTree(FIRST.payload()));
        assertThat(body.get(1)).isEqualTo(Json.readTree(SECOND.payload()));
        assertThat(body.get(2).path("traits").path("n").asText()).isEqualTo("é");
    }

    @Test
    void severalEventsAreAnArrayWhateverTheMode() {
        assertThat(Json.readTree(DeliveryRequests.body(batch(FIRST, SECOND), false)).isArray()).isTrue();
    }

    @Test
    void configuredHeadersAreSentWithTheMessageIdAsIdempotencyKey() {
        Map<String, String> configured = Map.of("Authorization", "Bearer t0k3n", "X-Team", "analytics");

        Map<String, String> headers = DeliveryRequests.headers(batch(FIRST), configured);

        assertThat(headers).containsExactlyInAnyOrderEntriesOf(Map.of(
                "Authorization", "Bearer t0k3n",
                "X-Team", "analytics",
                DeliveryRequests.IDEMPOTENCY_HEADER, "m1"));
    }

    @Test
    void aBatchsIdempotencyKeyCountsItsEventsAndStandsForItsMessageIdsInOrder() {
        String key = keyOf(batch(FIRST, SECOND, THIRD));

        assertThat(key).matches("batch:3:[0-9a-f]{32}");
        assertThat(keyOf(batch(FIRST, SECOND, THIRD))).as("every attempt of the same events").isEqualTo(key);
        assertThat(keyOf(batch(THIRD, SECOND, FIRST))).isNotEqualTo(key);
        assertThat(keyOf(batch(FIRST, SECOND))).isNotEqualTo(key);
    }

    @Test
    void aBulkBatchsIdempotencyKeyFitsInAnyServersHeaderLimit() {
        RoutedEvent[] thousand = new RoutedEvent[1_000];
        for (int i = 0; i < thousand.length; i++) {
            thousand[i] = event("0b6f2c3e-9d41-4e7a-a1c2-" + String.format("%012d", i), "{}");
        }

        assertThat(keyOf(batch(thousand))).hasSizeLessThan(64);
    }

    private static String keyOf(DeliveryBatch batch) {
        return DeliveryRequests.headers(batch, Map.of()).get(DeliveryRequests.IDEMPOTENCY_HEADER);
    }

    @Test
    void theConfiguredHeadersAreNotModified() {
        Map<String, String> configured = new HashMap<>(Map.of("X-Team", "analytics"));

        DeliveryRequests.headers(batch(FIRST, SECOND), configured);

        assertThat(configured).containsExactly(Map.entry("X-Team", "analytics"));
    }

    @Test
    void theIdempotencyKeyCannotBeOverriddenByConfiguration() {
        Map<String, String> headers =
                DeliveryRequests.headers(batch(SECOND), Map.of(DeliveryRequests.IDEMPOTENCY_HEADER, "fixed"));

        assertThat(headers).containsEntry(DeliveryRequests.IDEMPOTENCY_HEADER, "m2");
    }

    private static DeliveryBatch batch(RoutedEvent... events) {
        long bytes = 0;
        for (RoutedEvent event : events) {
            bytes += event.payload().length;
        }
        return new DeliveryBatch("crm", 0, events, bytes, 0);
    }

    private static RoutedEvent event(String messageId, String json) {
        return new RoutedEvent("crm", 0, messageId, "track", json.getBytes(StandardCharsets.UTF_8), "events/0/1", 0);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
