package dev.outflow.operators.delivery;

import com.sun.net.httpserver.HttpServer;

import dev.outflow.operators.testutils.AsyncDeliveryHarness;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP delivery operator in an Async I/O harness against a real endpoint on 127.0.0.1 that throttles every
 * request: the pause a Retry-After asks for must not end before the endpoint's own clock says it does.
 */
class HttpDeliveryRetryAfterTest {

    /**
     * One batch each, one at a time (an Async I/O capacity of one), so every answer is read a millisecond or two
     * after it went out: that is where a pause counted from the start plus a latency in whole milliseconds ends a
     * millisecond early, for about a quarter of them.
     */
    private static final int DESTINATIONS = 100;

    @Test
    void theDestinationIsHeldForTheWholeRetryAfterFromWhenTheEndpointAnswered() throws Exception {
        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService workers = Executors.newFixedThreadPool(4);
        server.setExecutor(workers);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Retry-After", "1");
            answeredAt.put(exchange.getRequestURI().getPath().substring(1), System.currentTimeMillis());
            exchange.sendResponseHeaders(429, -1);
            exchange.close();
        });
        server.start();
        try {
            StringBuilder yaml = new StringBuilder("destinations:\n");
            for (int i = 0; i < DESTINATIONS; i++) {
                yaml.append("  - id: d").append(i).append("\n    type: webhook\n    endpoint: http://127.0.0.1:")
                        .append(server.getAddress().getPort()).append("/d").append(i).append('\n');
            }
            List<DeliveryAttempt> attempts = deliverOneBatchEach(Catalogs.yaml(yaml.toString()));

            assertThat(attempts).hasSize(DESTINATIONS).allSatisfy(attempt -> {
                assertThat(attempt.outcome()).isEqualTo(AttemptOutcome.RETRYABLE);
                assertThat(attempt.status()).isEqualTo(429);
                assertThat(attempt.notBefore()).as(attempt.batch().destinationId())
                        .isGreaterThanOrEqualTo(answeredAt.get(attempt.batch().destinationId()) + 1_000);
            });
        } finally {
            server.stop(0);
            workers.shutdownNow();
        }
    }

    private static List<DeliveryAttempt> deliverOneBatchEach(DestinationCatalog catalog) throws Exception {
        List<DeliveryBatch> batches = new ArrayList<>();
        for (int i = 0; i < DESTINATIONS; i++) {
            RoutedEvent event = new RoutedEvent("d" + i, 0, "m" + i, "track",
                    ("{\"type\":\"track\",\"messageId\":\"m" + i + "\"}").getBytes(StandardCharsets.UTF_8),
                    "t/0/" + i, 1L);
            batches.add(new DeliveryBatch("d" + i, 0, new RoutedEvent[] {event}, event.payload().length, 1L));
        }
        return AsyncDeliveryHarness.deliver(
                new HttpDeliveryFunction(catalog, ApacheHttpTransport.factory(DESTINATIONS)), 1, batches);
    }
}
