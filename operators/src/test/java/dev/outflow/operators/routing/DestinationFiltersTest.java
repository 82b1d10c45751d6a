package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.Events;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.event.SegmentEvent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Destination filters with Segment's semantics: conditions, order, sampling, property filters. */
class DestinationFiltersTest {

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                type: webhook
                endpoint: https://crm.example/in
                filters:
                  # written out of order on purpose: Segment applies allow after drop properties, drops before both
                  - if: all
                    allowProperties: {properties: [plan, email, items], "": [type, event, userId, properties, traits, messageId]}
                  - if: 'type = "identify"'
                    dropProperties: {traits: [email], context.traits: [email]}
                  - if: 'event = "Debug" or properties.internal = true'
                    drop: true
                  - if: all
                    dropProperties: {properties.items: [sku]}
              - id: half
                type: webhook
                endpoint: https://half.example/in
                filters:
                  - if: 'type = "track"'
                    sample: 0.5
              - id: none
                type: webhook
                endpoint: https://none.example/in
                filters:
                  - if: all
                    sample: 0
            """);

    private final EventRouter router = new EventRouter(CATALOG);

    @Test
    void dropFiltersKeepMatchingEventsAwayWithTheirRule() {
        assertThat(decision(track("Debug", "{}"), "crm").filterReason()).isEqualTo(FilterReason.FILTER_DROPPED);
        assertThat(decision(track("Paid", "{\"internal\":true}"), "crm").filterReason())
                .isEqualTo(FilterReason.FILTER_DROPPED);
        assertThat(decision(track("Paid", "{\"internal\":false}"), "crm").routed()).isTrue();
    }

    @Test
    void propertyFiltersChangeOnlyThisDestinationsCopy() {
        SegmentEvent event = track("Paid",
                "{\"plan\":\"pro\",\"email\":\"a@b.c\",\"secret\":1,\"items\":[{\"sku\":\"s1\",\"qty\":2},{\"sku\":\"s2\"}]}");
        JsonNode crm = decision(event, "crm").body();
        assertThat(crm.path("properties").fieldNames()).toIterable().containsExactly("plan", "email", "items");
        assertThat(crm.path("properties").path("items").toString()).isEqualTo("[{\"qty\":2},{}]");
        assertThat(crm.has("context")).isFalse();
        assertThat(crm.has("receivedAt")).isFalse();
        assertThat(crm.path("event").asText()).isEqualTo("Paid");
        // the event itself, and every other destination's copy, are untouched
        assertThat(event.json().path("properties").has("secret")).isTrue();
        assertThat(decision(event, "half").body() == event.json() || !decision(event, "half").routed()).isTrue();
    }

    @Test
    void dropPropertiesReachNestedObjectsByTheirPath() {
        SegmentEvent identify = Events.parse("""
                {"type":"identify","userId":"u1","messageId":"m1",
                 "traits":{"email":"a@b.c","plan":"pro"},"context":{"traits":{"email":"a@b.c","name":"A"}}}""");
        JsonNode crm = decision(identify, "crm").body();
        assertThat(crm.path("traits").toString()).isEqualTo("{\"plan\":\"pro\"}");
        // allow properties then removed context (not in the top-level allow list)
        assertThat(crm.has("context")).isFalse();
    }

    @Test
    void samplingIsDeterministicPerMessageIdAndKeepsAboutItsShare() {
        int kept = 0;
        for (int i = 0; i < 4_000; i++) {
            SegmentEvent event = Events.parse("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"m-"
                    + i + "\"}");
            RouteDecision first = decision(event, "half");
            assertThat(decision(event, "half").routed()).isEqualTo(first.routed());
            if (first.routed()) {
                kept++;
            } else {
                assertThat(first.filterReason()).isEqualTo(FilterReason.FILTER_SAMPLED_OUT);
            }
        }
        assertThat(kept).isBetween(1_850, 2_150);
        // the condition limits the sample: identify calls all pass
        assertThat(decision(Events.parse("{\"type\":\"identify\",\"userId\":\"u\"}"), "half").routed()).isTrue();
        assertThat(decision(track("E", "{}"), "none").filterReason()).isEqualTo(FilterReason.FILTER_SAMPLED_OUT);
        assertThat(DestinationFilters.fraction("m-1")).isEqualTo(DestinationFilters.fraction("m-1"))
                .isBetween(0.0, 1.0);
    }

    @Test
    void anInvalidConditionFailsAtStartUpNamingTheFilter() {
        DestinationCatalog bad = Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: https://crm.example/in
                    filters:
                      - if: all
                        drop: false
                        sample: 1
                      - if: 'event ~ "Debug"'
                        drop: true
                """);
        assertThatThrownBy(() -> new EventRouter(bad))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("test-catalog.yaml: destination 'crm', field 'filters[1].if': "
                        + "is not a valid FQL condition: ");
    }

    @Test
    void aFilterTakesExactlyOneAction() {
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: https://crm.example/in
                    filters:
                      - if: all
                        drop: true
                        sample: 0.5
                """)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("destination 'crm', field 'filters[0].if': a filter takes exactly one of");
    }

    private static SegmentEvent track(String name, String properties) {
        return Events.parse("{\"type\":\"track\",\"userId\":\"u1\",\"messageId\":\"m1\",\"event\":\"" + name
                + "\",\"properties\":" + properties + "}");
    }

    private RouteDecision decision(SegmentEvent event, String destinationId) {
        return router.route(event, destinationId).get(0);
    }
}
