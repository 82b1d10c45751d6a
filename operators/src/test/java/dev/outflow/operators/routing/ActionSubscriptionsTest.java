package dev.outflow.operators.routing;

import dev.outflow.operators.delivery.ActionUrl;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.Events;
import dev.outflow.schemas.catalog.BatchMode;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.SyncMode;
import dev.outflow.schemas.event.SegmentEvent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Actions destinations: triggers, mappings, one decision per subscription, targets for delivery. */
class ActionSubscriptionsTest {

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                name: CRM Actions
                type: actions
                headers: {Authorization: "Bearer ${env:TEST_TOKEN}"}
                subscriptions:
                  - name: Upsert Contact
                    subscribe: 'type = "identify" or event = "Signed Up"'
                    syncMode: upsert
                    mapping:
                      email: {"@path": "$.traits.email"}
                      id: {"@path": "$.userId"}
                    action: {method: PUT, url: "https://crm.example/contacts/{{id}}"}
                  - name: Track Order
                    subscribe: 'event = "Order Completed"'
                    syncMode: add
                    mapping:
                      order: {"@path": "$.properties.orderId"}
                      total: {"@path": "$.properties.total"}
                    action:
                      url: https://crm.example/orders
                      headers: {X-Api-Version: "2"}
                    batching: {maxEvents: 10, maxWait: 200ms}
                  - name: Everything Signed Up
                    subscribe: 'event = "Signed Up"'
                    mapping: {name: {"@path": "$.event"}}
                    action: {url: "https://crm.example/signups"}
                    enabled: false
            """);

    private final EventRouter router = new EventRouter(CATALOG);

    @Test
    void everySubscriptionGetsItsOwnDecision() {
        SegmentEvent order = Events.parse("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\","
                + "\"properties\":{\"orderId\":\"o-9\",\"total\":42.5}}");
        List<RouteDecision> decisions = router.route(order);
        assertThat(decisions).extracting(RouteDecision::routeId)
                .containsExactly("crm/upsert-contact", "crm/track-order", "crm/everything-signed-up");
        assertThat(decisions).extracting(RouteDecision::filterReason).containsExactly(
                FilterReason.SUBSCRIPTION_NOT_MATCHED, null, FilterReason.SUBSCRIPTION_DISABLED);
        assertThat(decisions.get(1).body().toString()).isEqualTo("{\"order\":\"o-9\",\"total\":42.5}");
    }

    @Test
    void oneEventCanFireSeveralSubscriptions() {
        SegmentEvent signUp = Events.parse("{\"type\":\"track\",\"userId\":\"u 1/x\",\"event\":\"Signed Up\"}");
        CatalogWithTwo both = new CatalogWithTwo();
        assertThat(both.router.route(signUp)).extracting(RouteDecision::routed).containsExactly(true, true);
        RouteDecision contact = router.route(signUp).get(0);
        assertThat(contact.body().toString()).isEqualTo("{\"id\":\"u 1/x\"}");
        // the URL reads the mapped body, URL-encoded
        assertThat(ActionUrl.render(contact.destination().endpoint(), contact.body()))
                .isEqualTo("https://crm.example/contacts/u%201%2Fx");
    }

    @Test
    void subscriptionTargetsCarryMethodUrlHeadersSyncModeAndBatching() {
        DestinationConfig contact = CATALOG.get("crm/upsert-contact");
        assertThat(contact.method()).isEqualTo("PUT");
        assertThat(contact.headers()).containsEntry("Authorization", "Bearer " + Catalogs.TEST_TOKEN)
                .containsEntry(SyncMode.HEADER, "upsert");
        assertThat(contact.maskedHeaders()).containsEntry("Authorization", "****");
        assertThat(contact.batching().isSingle()).isTrue();
        DestinationConfig order = CATALOG.get("crm/track-order");
        assertThat(order.method()).isEqualTo("POST");
        assertThat(order.headers()).containsEntry("X-Api-Version", "2").containsEntry(SyncMode.HEADER, "add");
        assertThat(order.batching().maxEvents()).isEqualTo(10);
        assertThat(CATALOG.deliveryTargets()).extracting(DestinationConfig::id)
                .containsExactly("crm/upsert-contact", "crm/track-order", "crm/everything-signed-up");
        assertThat(CATALOG.get("crm/everything-signed-up").enabled()).isFalse();
    }

    @Test
    void destinationRulesFilterEverySubscriptionWithTheRule() {
        SegmentEvent off = Events.parse("{\"type\":\"identify\",\"userId\":\"u1\",\"integrations\":{\"CRM Actions\":false}}");
        assertThat(router.route(off)).hasSize(3)
                .allSatisfy(d -> assertThat(d.filterReason()).isEqualTo(FilterReason.INTEGRATIONS_DISABLED));
    }

    @Test
    void aMappingThatFailsForAnEventIsAFailureNotAFilter() {
        EventRouter strict = new EventRouter(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: Items
                        subscribe: 'type = "track"'
                        mapping: {"@path": "$.properties.items"}
                        action: {url: "https://crm.example/items"}
                """));
        RouteDecision decision = strict.route(Events.parse(
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}")).get(0);
        assertThat(decision.failed()).isTrue();
        assertThat(decision.failure()).isEqualTo("mapping_failed: the mapping produced nothing");
    }

    @Test
    void invalidTriggersAndMappingsFailAtStartUpWithThePathOfTheBadDirective() {
        assertThatThrownBy(() -> new EventRouter(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: A
                        subscribe: 'type = "track"'
                        mapping: {a: {"@path": "$.userId"}}
                        action: {url: "https://crm.example/a"}
                      - name: B
                        subscribe: 'type = "track"'
                        mapping: {nested: {deep: {"@template": false}}}
                        action: {url: "https://crm.example/b"}
                """))).isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("test-catalog.yaml: destination 'crm', field 'subscriptions[1].mapping': "
                        + "invalid directive at /nested/deep/@template: ");
        assertThatThrownBy(() -> new EventRouter(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: A
                        subscribe: 'type * "track"'
                        mapping: {a: 1}
                        action: {url: "https://crm.example/a"}
                """))).isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("test-catalog.yaml: destination 'crm', field 'subscriptions[0].subscribe': "
                        + "is not a valid FQL subscription: ");
    }

    @Test
    void configMistakesNameTheSubscriptionField() {
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: A
                        subscribe: 'type = "track"'
                        mapping: {a: 1}
                        syncMode: replace
                        action: {url: "https://crm.example/a"}
                """)).hasMessageContaining("field 'subscriptions[0].syncMode': must be add, update, upsert");
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: A
                        subscribe: 'type = "track"'
                        mapping: {id: {"@path": "$.userId"}}
                        action: {url: "https://crm.example/a/{{id}}"}
                        batching: {maxEvents: 5}
                """)).hasMessageContaining("field 'subscriptions[0].batching.maxEvents': must be 1");
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                """)).hasMessageContaining("field 'subscriptions': is required");
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - name: A
                        subscribe: 'type = "track"'
                        mapping: {a: 1}
                        action: {url: "ftp://crm.example/a", method: PUT}
                """)).hasMessageContaining("field 'subscriptions[0].action.url': must be an http:// or https:// URL");
    }

    @Test
    void aSubscriptionTakesTheBatchingModeOfAWebhook() {
        DestinationCatalog catalog = Catalogs.yaml("""
                destinations:
                  - id: ads
                    type: actions
                    subscriptions:
                      - name: Sync Audience
                        subscribe: 'type = "identify"'
                        mapping: {id: {"@path": "$.userId"}}
                        action: {url: "https://ads.example/audience"}
                        batching: {mode: bulk, maxEvents: 5000, maxWait: 30s}
                      - name: Conversions
                        subscribe: 'type = "track"'
                        mapping: {id: {"@path": "$.userId"}}
                        action: {url: "https://ads.example/conversions"}
                        batching: {maxEvents: 50}
                """);
        assertThat(catalog.get("ads/sync-audience").batching().mode()).isEqualTo(BatchMode.BULK);
        assertThat(catalog.get("ads/sync-audience").batching().maxEvents()).isEqualTo(5000);
        assertThat(catalog.get("ads/conversions").batching().mode()).isEqualTo(BatchMode.STREAM);

        String subscription = """
                destinations:
                  - id: ads
                    type: actions
                    subscriptions:
                      - name: Sync Audience
                        subscribe: 'type = "identify"'
                        mapping: {id: {"@path": "$.userId"}}
                        action: {url: "https://ads.example/audience"}
                """;
        assertThatThrownBy(() -> Catalogs.yaml(subscription + "        batching: {mode: bulk, maxEvents: 999}\n"))
                .hasMessageContaining("destination 'ads', field 'subscriptions[0].batching.maxEvents': "
                        + "must be at least 1000 in bulk mode, got 999");
        assertThatThrownBy(() -> Catalogs.yaml(subscription + "        batching: {mode: fast}\n"))
                .hasMessageContaining("field 'subscriptions[0].batching.mode': must be 'stream'");
    }

    /** Two subscriptions that both fire on a sign-up. */
    private static final class CatalogWithTwo {
        final EventRouter router = new EventRouter(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - {name: Contact, subscribe: 'event = "Signed Up"', mapping: {id: {"@path": "$.userId"}},
                         action: {url: "https://crm.example/contacts"}}
                      - {name: Audit, subscribe: 'type = "track"', mapping: {e: {"@path": "$.event"}},
                         action: {url: "https://crm.example/audit"}}
                """));
    }
}
