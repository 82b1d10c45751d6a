package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.Events;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.event.SegmentEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** User suppression, blocked fields and PII hashing, as routing applies them per destination. */
class PrivacyRulesTest {

    @TempDir
    Path dir;

    private EventRouter router(String privacy) throws IOException {
        Files.writeString(dir.resolve("suppressed.txt"), """
                # userId  regulation
                gone-user  suppress_with_delete
                quiet-user suppress_only
                bare-user
                """);
        return new EventRouter(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: https://crm.example/in
                    handlesDeletes: true
                  - id: ads
                    type: webhook
                    endpoint: https://ads.example/in
                  - id: analytics
                    type: webhook
                    endpoint: https://analytics.example/in
                privacy:
                  suppressions: %s
                %s""".formatted(dir.resolve("suppressed.txt"), privacy.indent(2))));
    }

    @Test
    void suppressedUsersReachNoDestination() throws IOException {
        EventRouter router = router("");
        for (String user : new String[] {"gone-user", "quiet-user", "bare-user"}) {
            assertThat(router.route(Events.parse("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"" + user + "\"}")))
                    .allSatisfy(d -> assertThat(d.filterReason()).isEqualTo(FilterReason.USER_SUPPRESSED));
        }
        assertThat(router.route(Events.parse("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"other\"}")))
                .allSatisfy(d -> assertThat(d.routed()).isTrue());
    }

    @Test
    void deletesGoOnlyToDestinationsThatHandleThem() throws IOException {
        EventRouter router = router("");
        assertThat(router.route(Events.parse("{\"type\":\"delete\",\"userId\":\"gone-user\"}")))
                .extracting(RouteDecision::filterReason)
                .containsExactly(null, FilterReason.EVENT_TYPE_NOT_SUPPORTED, FilterReason.EVENT_TYPE_NOT_SUPPORTED);
        // suppress_only: the user's deletion request is suppressed like the rest
        assertThat(router.route(Events.parse("{\"type\":\"delete\",\"userId\":\"quiet-user\"}")))
                .allSatisfy(d -> assertThat(d.filterReason()).isEqualTo(FilterReason.USER_SUPPRESSED));
        assertThat(router.route(Events.parse("{\"type\":\"delete\",\"userId\":\"someone\"}")))
                .extracting(RouteDecision::routed).containsExactly(true, false, false);
    }

    @Test
    void blockedFieldsAreDroppedOrDropTheEventPerDestination() throws IOException {
        EventRouter router = router("""
                blockedFields:
                  - fields: [email, context.ip]
                    destinations: [ads, analytics]
                  - fields: [phone]
                    destinations: [analytics]
                    action: drop_event
                """);
        SegmentEvent identify = Events.parse("""
                {"type":"identify","userId":"u1","traits":{"email":"a@b.c","plan":"pro"},
                 "context":{"ip":"10.0.0.1","traits":{"email":"a@b.c"}}}""");
        JsonNode crm = router.route(identify, "crm").get(0).body();
        JsonNode ads = router.route(identify, "ads").get(0).body();
        assertThat(crm.path("traits").has("email")).isTrue();
        assertThat(ads.path("traits").toString()).isEqualTo("{\"plan\":\"pro\"}");
        assertThat(ads.path("context").toString()).isEqualTo("{\"traits\":{}}");
        assertThat(router.route(identify, "analytics").get(0).routed()).isTrue();

        SegmentEvent withPhone = Events.parse("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\","
                + "\"properties\":{\"phone\":\"+1 415 555 0100\"}}");
        assertThat(router.route(withPhone, "analytics").get(0).filterReason()).isEqualTo(FilterReason.BLOCKED_FIELD);
        assertThat(router.route(withPhone, "ads").get(0).routed()).isTrue();
    }

    @Test
    void markedFieldsAreNormalizedAndHashedDigestsPassThrough() throws IOException {
        EventRouter router = router("""
                hashFields:
                  - fields: [email, phone, traits.loyaltyId]
                    destinations: [ads]
                """);
        String digest = PiiHashing.sha256Hex("already@hashed.com");
        SegmentEvent identify = Events.parse("""
                {"type":"identify","userId":"u1","traits":{"email":" Jane.Doe@Example.COM ","phone":"+1 (415) 555-0100",
                 "loyaltyId":" L-42 "},"context":{"traits":{"email":"%s"}}}""".formatted(digest));
        JsonNode ads = router.route(identify, "ads").get(0).body();
        assertThat(ads.path("traits").path("email").asText()).isEqualTo(PiiHashing.sha256Hex("jane.doe@example.com"));
        assertThat(ads.path("traits").path("phone").asText()).isEqualTo(PiiHashing.sha256Hex("+14155550100"));
        assertThat(ads.path("traits").path("loyaltyId").asText()).isEqualTo(PiiHashing.sha256Hex("L-42"));
        assertThat(ads.path("context").path("traits").path("email").asText()).isEqualTo(digest);
        assertThat(router.route(identify, "crm").get(0).body().path("traits").path("email").asText())
                .isEqualTo(" Jane.Doe@Example.COM ");
    }

    @Test
    void privacyMistakesFailAtStartUpNamingTheField() {
        assertThatThrownBy(() -> router("""
                blockedFields:
                  - fields: [emial]
                """)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("field 'privacy.blockedFields[0].fields': 'emial' is neither a data category");
        assertThatThrownBy(() -> router("""
                hashFields:
                  - fields: [email]
                    destinations: [nowhere]
                """)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("field 'privacy.hashFields[0].destinations': 'nowhere' is not a destination");
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - {id: crm, type: webhook, endpoint: "https://crm.example/in"}
                privacy:
                  suppressions: /no/such/file.txt
                """)).isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("test-catalog.yaml: field 'privacy.suppressions': cannot read /no/such/file.txt");
    }

    @Test
    void aBadSuppressionLineIsReportedWithItsLineNumber() throws IOException {
        Files.writeString(dir.resolve("bad.txt"), "ok-user\nother suppress_forever\n");
        assertThatThrownBy(() -> Catalogs.yaml("""
                destinations:
                  - {id: crm, type: webhook, endpoint: "https://crm.example/in"}
                privacy:
                  suppressions: %s
                """.formatted(dir.resolve("bad.txt")))).isInstanceOf(CatalogException.class)
                .hasMessageContaining("bad.txt line 2: 'suppress_forever' is not suppress_only or suppress_with_delete");
    }
}
