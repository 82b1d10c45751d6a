package dev.outflow.operators.routing;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.RecordingMetrics;
import dev.outflow.operators.testutils.RoutingHarness;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The routing function with filters, privacy and Actions subscriptions: outputs, side outputs and metrics. */
class ParseAndRouteRulesTest {

    private static final long NOW = 2_000_000L;

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                type: actions
                filters:
                  - {if: 'properties.test = true', drop: true}
                subscriptions:
                  - name: Orders
                    subscribe: 'event = "Order Completed"'
                    mapping: {order: {"@path": "$.properties.orderId"}, email: {"@path": "$.context.traits.email"}}
                    action: {url: "https://crm.example/orders"}
                    batching: {maxEvents: 10, shards: 2}
                  - name: Everything
                    subscribe: 'type = "track"'
                    mapping: {"@path": "$.properties.missing"}
                    action: {url: "https://crm.example/all"}
              - id: warehouse
                type: webhook
                endpoint: https://warehouse.example/in
            privacy:
              hashFields:
                - {fields: [email], destinations: [crm]}
            """);

    private final RecordingMetrics metrics = new RecordingMetrics();
    private MockEnvironment environment;
    private RoutingHarness harness;

    @BeforeEach
    void openHarness() throws Exception {
        environment = new MockEnvironmentBuilder().setMetricGroup(metrics.taskGroup()).build();
        harness = new RoutingHarness(new ParseAndRouteFunction(CATALOG), environment);
        harness.open();
        harness.setProcessingTime(NOW);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
        environment.close();
    }

    @Test
    void eachFiredSubscriptionIsRoutedWithItsMappedBodyAndEveryOtherPairIsAccounted() throws Exception {
        process("{\"type\":\"track\",\"userId\":\"u1\",\"messageId\":\"m1\",\"event\":\"Order Completed\","
                + "\"properties\":{\"orderId\":\"o-1\"},\"context\":{\"traits\":{\"email\":\" A@B.C \"}}}");

        List<RoutedEvent> routed = harness.routedEvents();
        assertThat(routed).extracting(RoutedEvent::destinationId).containsExactly("crm/orders", "warehouse");
        RoutedEvent order = routed.get(0);
        assertThat(Json.readTree(order.payload()).toString()).isEqualTo("{\"order\":\"o-1\",\"email\":\""
                + PiiHashing.sha256Hex("a@b.c") + "\"}");
        assertThat(order.shard()).isBetween(0, 1);
        assertThat(order.routedAt()).isEqualTo(NOW);
        // the webhook gets the event itself, unhashed: hashing is for crm only
        assertThat(Json.readTree(routed.get(1).payload()).path("context").path("traits").path("email").asText())
                .isEqualTo(" A@B.C ");

        // the subscription whose mapping yields nothing is dead-lettered, with its delivery-log line
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).singleElement().satisfies(letter -> {
            assertThat(letter.destinationId()).isEqualTo("crm/everything");
            assertThat(letter.reason()).isEqualTo("mapping_failed: the mapping produced nothing");
            assertThat(letter.retryable()).isFalse();
            assertThat(letter.messageId()).isEqualTo("m1");
        });
        assertThat(sideOutput(OutputTags.FILTERED)).singleElement().satisfies(line -> {
            assertThat(line.destinationId()).isEqualTo("crm/everything");
            assertThat(line.status()).isEqualTo(DeliveryStatus.DEAD_LETTERED);
        });
        assertThat(metrics.count("crm/orders.routed")).isEqualTo(1);
        assertThat(metrics.count("crm/everything.deadLettered")).isEqualTo(1);
        assertThat(metrics.count("warehouse.routed")).isEqualTo(1);
    }

    @Test
    void filteredPairsCarryTheirRulePerSubscription() throws Exception {
        process("{\"type\":\"track\",\"userId\":\"u1\",\"messageId\":\"m2\",\"event\":\"Order Completed\","
                + "\"properties\":{\"test\":true}}");
        process("{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m3\"}");

        assertThat(harness.routedEvents()).extracting(RoutedEvent::destinationId)
                .containsExactly("warehouse", "warehouse");
        assertThat(sideOutput(OutputTags.FILTERED)).extracting(l -> l.destinationId() + "/" + l.messageIds().get(0) + ":"
                + l.reason()).containsExactly(
                        "crm/orders/m2:filter_dropped", "crm/everything/m2:filter_dropped",
                        "crm/orders/m3:subscription_not_matched", "crm/everything/m3:subscription_not_matched");
        assertThat(metrics.count("crm/orders.filter_dropped.filtered")).isEqualTo(1);
        assertThat(metrics.count("crm/everything.subscription_not_matched.filtered")).isEqualTo(1);
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).isEmpty();
    }

    private void process(String json) throws Exception {
        harness.processElement(new StreamRecord<>(new RawEvent("events", 0, 1, NOW, null,
                json.getBytes(StandardCharsets.UTF_8))));
    }

    private <T> List<T> sideOutput(org.apache.flink.util.OutputTag<T> tag) {
        List<T> values = new ArrayList<>();
        if (harness.getSideOutput(tag) != null) {
            harness.getSideOutput(tag).forEach(record -> values.add(record.getValue()));
        }
        return values;
    }
}
