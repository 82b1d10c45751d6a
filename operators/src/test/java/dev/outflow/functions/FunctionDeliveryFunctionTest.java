package dev.outflow.functions;

import dev.outflow.operators.delivery.ApacheHttpTransport;
import dev.outflow.operators.testutils.AsyncDeliveryHarness;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The function delivery operator in an Async I/O harness: attempts per group of events that ended alike, with
 * Segment's categories, and the encrypted setting reaching the code (and nothing else).
 */
class FunctionDeliveryFunctionTest {

    private static final String KEY = SettingsCipher.newKey();
    private static final String SECRET = "sk_live_harness_8a1";

    private static LocalHttpServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new LocalHttpServer();
        server.answer("/crm/events", 200, Map.of("Content-Type", "application/json"), "{\"id\":1}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static DestinationCatalog catalog() {
        String token = SettingsCipher.fromBase64Key(KEY).encrypt(SECRET);
        return new CatalogLoader(Map.of(SettingsCipher.KEY_VARIABLE, KEY)::get).parse("harness.yaml", """
                destinations:
                  - id: crm
                    type: function
                    code: ../examples/functions/forward-to-crm.js
                    eventTypes: [track, identify, page]
                    settings: {apiUrl: "%s"}
                    encryptedSettings: {apiKey: "%s"}
                  - id: batchy
                    type: function
                    code: ../examples/functions/batch-partial.js
                    batching: {maxEvents: 10}
                """.formatted(server.url("/crm"), token), false);
    }

    private static RoutedEvent event(String destination, String id, String type, String json) {
        return new RoutedEvent(destination, 0, id, type, json.getBytes(StandardCharsets.UTF_8), "t/0/" + id, 1L);
    }

    private static List<DeliveryAttempt> deliver(DeliveryBatch... batches) throws Exception {
        return AsyncDeliveryHarness.deliver(new FunctionDeliveryFunction(catalog(), () -> new ApacheHttpTransport(4),
                () -> KEY), 16, List.of(batches));
    }

    private static List<String> ids(DeliveryAttempt attempt) {
        return Arrays.stream(attempt.batch().events()).map(RoutedEvent::messageId).toList();
    }

    @Test
    void eventsWithoutOnBatchGoOneByOneAndAreGroupedByOutcome() throws Exception {
        RoutedEvent ok = event("crm", "m1", "track", "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u1\",\"messageId\":\"m1\"}");
        RoutedEvent anonymous = event("crm", "m2", "track", "{\"type\":\"track\",\"event\":\"A\",\"anonymousId\":\"a\",\"messageId\":\"m2\"}");
        RoutedEvent page = event("crm", "m3", "page", "{\"type\":\"page\",\"userId\":\"u1\",\"messageId\":\"m3\"}");
        RoutedEvent identify = event("crm", "m4", "identify", "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m4\"}");

        List<DeliveryAttempt> attempts = deliver(new DeliveryBatch("crm", 0,
                new RoutedEvent[] {ok, anonymous, page, identify}, 100, 1L));

        assertThat(attempts).hasSize(3);
        DeliveryAttempt delivered = attempts.stream().filter(a -> a.outcome() == AttemptOutcome.DELIVERED).findFirst().orElseThrow();
        assertThat(ids(delivered)).containsExactly("m1", "m4");
        assertThat(delivered.error()).isNull();
        assertThat(attempts).anySatisfy(a -> {
            assertThat(ids(a)).containsExactly("m2");
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.PERMANENT);
            assertThat(a.error()).isEqualTo("function message_rejected: InvalidEventPayload: userId is required");
        });
        assertThat(attempts).anySatisfy(a -> {
            assertThat(ids(a)).containsExactly("m3");
            assertThat(a.error()).isEqualTo("function unsupported_event_type: EventNotSupported: page is not supported");
        });
        assertThat(attempts).allSatisfy(a -> assertThat(a.attempt()).isEqualTo(1));
        assertThat(server.received.stream().filter(r -> r.path().equals("/crm/events")).findFirst().orElseThrow()
                .header("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString((SECRET + ":").getBytes(StandardCharsets.UTF_8)));
        assertThat(attempts.toString()).doesNotContain(SECRET);
    }

    @Test
    void onBatchStatusesSplitTheBatchSoOnlyRetryableEventsComeBack() throws Exception {
        List<DeliveryAttempt> attempts = deliver(new DeliveryBatch("batchy", 0, new RoutedEvent[] {
                event("batchy", "b1", "track", "{\"type\":\"track\",\"properties\":{}}"),
                event("batchy", "b2", "track", "{\"type\":\"track\",\"properties\":{\"status\":503}}"),
                event("batchy", "b3", "track", "{\"type\":\"track\",\"properties\":{\"status\":400}}"),
                event("batchy", "b4", "track", "{\"type\":\"track\",\"properties\":{\"status\":503}}")}, 100, 1L));

        assertThat(attempts).hasSize(3);
        assertThat(attempts).anySatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.DELIVERED);
            assertThat(ids(a)).containsExactly("b1");
        });
        assertThat(attempts).anySatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.RETRYABLE);
            assertThat(ids(a)).containsExactly("b2", "b4");
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.error()).isEqualTo("function batch status 503: failed with 503");
        });
        assertThat(attempts).anySatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(AttemptOutcome.PERMANENT);
            assertThat(ids(a)).containsExactly("b3");
        });
    }

    @Test
    void aBatchingDestinationSendsEvenABatchOfOneToOnBatch() throws Exception {
        // onTrack would accept it; onBatch answers its status 503
        List<DeliveryAttempt> attempts = deliver(new DeliveryBatch("batchy", 0, new RoutedEvent[] {
                event("batchy", "s1", "track", "{\"type\":\"track\",\"properties\":{\"status\":503}}")}, 10, 1L));
        assertThat(attempts).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.RETRYABLE));
    }
}
