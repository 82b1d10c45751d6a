package dev.outflow.operators.routing;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.event.ParseResult;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.event.SegmentEvent;
import dev.outflow.schemas.event.SegmentEventParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Segment's destination filtering rules, one rule per test, each skip with the rule that caused it. */
class EventRouterTest {

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                name: CRM Webhook
                type: webhook
                endpoint: https://crm.example/in
              - id: warehouse
                name: Warehouse
                type: webhook
                endpoint: https://warehouse.example/in
                eventTypes: [track, identify, delete]
              - id: mobile-only
                name: Mobile Only
                type: webhook
                endpoint: https://mobile.example/in
                sourceIds: [ios, android]
              - id: retired
                name: Retired
                type: webhook
                enabled: false
                endpoint: https://retired.example/in
            """);

    private final EventRouter router = new EventRouter(CATALOG);

    @Test
    void everyDestinationGetsADecisionInCatalogOrder() {
        assertThat(router.route(track("")))
                .extracting(decision -> decision.destination().id())
                .containsExactly("crm", "warehouse", "mobile-only", "retired");
    }

    @Test
    void aPlainEventGoesEverywhereItIsCompatibleWith() {
        SegmentEvent event = track("");

        assertThat(reason(event, "crm")).isNull();
        assertThat(reason(event, "warehouse")).isNull();
        assertThat(router.route(event)).filteredOn(RouteDecision::routed)
                .extracting(decision -> decision.destination().id())
                .containsExactly("crm", "warehouse");
    }

    @Test
    void aDisabledDestinationGetsNothingEvenWhenTheEventAsksForIt() {
        SegmentEvent event = track(",\"integrations\":{\"Retired\":true}");

        assertThat(reason(event, "retired")).isEqualTo(FilterReason.DESTINATION_DISABLED);
    }

    @Test
    void allFalseKeepsTheEventFromEveryDestinationNotSwitchedBackOn() {
        SegmentEvent event = track(",\"integrations\":{\"All\":false}");

        assertThat(reason(event, "crm")).isEqualTo(FilterReason.INTEGRATIONS_ALL_FALSE);
        assertThat(reason(event, "warehouse")).isEqualTo(FilterReason.INTEGRATIONS_ALL_FALSE);
    }

    @Test
    void aDestinationSwitchedOnByNameWinsOverAllFalse() {
        SegmentEvent event = track(",\"integrations\":{\"All\":false,\"CRM Webhook\":true}");

        assertThat(reason(event, "crm")).isNull();
        assertThat(reason(event, "warehouse")).isEqualTo(FilterReason.INTEGRATIONS_ALL_FALSE);
    }

    @Test
    void anOptionsObjectSwitchesADestinationOnLikeTrue() {
        SegmentEvent event = track(",\"integrations\":{\"All\":false,\"Warehouse\":{\"table\":\"orders\"}}");

        assertThat(reason(event, "warehouse")).isNull();
    }

    @Test
    void aDestinationSwitchedOffByNameIsSkippedUnderAllTrue() {
        SegmentEvent event = track(",\"integrations\":{\"All\":true,\"CRM Webhook\":false}");

        assertThat(reason(event, "crm")).isEqualTo(FilterReason.INTEGRATIONS_DISABLED);
        assertThat(reason(event, "warehouse")).isNull();
    }

    @Test
    void theIdIsAcceptedWhereTheNameIsExpected() {
        SegmentEvent event = track(",\"integrations\":{\"All\":false,\"crm\":true,\"warehouse\":false}");

        assertThat(reason(event, "crm")).isNull();
        assertThat(reason(event, "warehouse")).isEqualTo(FilterReason.INTEGRATIONS_DISABLED);
    }

    @Test
    void theNameWinsOverTheIdWhenBothAreGiven() {
        SegmentEvent event = track(",\"integrations\":{\"CRM Webhook\":true,\"crm\":false}");

        assertThat(reason(event, "crm")).isNull();
    }

    @Test
    void namesAreCaseSensitiveAsInSegment() {
        SegmentEvent event = track(",\"integrations\":{\"crm webhook\":false}");

        assertThat(reason(event, "crm")).isNull();
    }

    @Test
    void aNullEntryFallsBackToAll() {
        SegmentEvent event = track(",\"integrations\":{\"All\":false,\"CRM Webhook\":null}");

        assertThat(reason(event, "crm")).isEqualTo(FilterReason.INTEGRATIONS_ALL_FALSE);
    }

    @Test
    void onlyABooleanFalseSwitchesOff() {
        SegmentEvent event = track(",\"integrations\":{\"All\":\"false\",\"CRM Webhook\":0}");

        assertThat(reason(event, "crm")).isNull();
        assertThat(reason(event, "warehouse")).isNull();
    }

    @Test
    void bundledDestinationsWereAlreadySentInDeviceMode() {
        SegmentEvent event = track(",\"_metadata\":{\"bundled\":[\"CRM Webhook\",\"Segment.io\"]}");

        assertThat(reason(event, "crm")).isEqualTo(FilterReason.BUNDLED_DEVICE_MODE);
        assertThat(reason(event, "warehouse")).isNull();
    }

    @Test
    void bundledMatchesTheIdToo() {
        assertThat(reason(track(",\"_metadata\":{\"bundled\":[\"warehouse\"]}"), "warehouse"))
                .isEqualTo(FilterReason.BUNDLED_DEVICE_MODE);
    }

    @Test
    void bundledWinsOverAnIntegrationsTrue() {
        SegmentEvent event = track(",\"integrations\":{\"CRM Webhook\":true},\"_metadata\":{\"bundled\":[\"CRM Webhook\"]}");

        assertThat(reason(event, "crm")).isEqualTo(FilterReason.BUNDLED_DEVICE_MODE);
    }

    @Test
    void malformedBundledListsAreIgnored() {
        assertThat(reason(track(",\"_metadata\":{\"bundled\":\"CRM Webhook\"}"), "crm")).isNull();
        assertThat(reason(track(",\"_metadata\":{\"bundled\":[1,null,{\"n\":\"CRM Webhook\"}]}"), "crm")).isNull();
        assertThat(reason(track(",\"_metadata\":{\"unbundled\":[\"CRM Webhook\"]}"), "crm")).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "track, ",
        "identify, ",
        "delete, ",
        "page, EVENT_TYPE_NOT_SUPPORTED",
        "screen, EVENT_TYPE_NOT_SUPPORTED",
        "group, EVENT_TYPE_NOT_SUPPORTED",
        "alias, EVENT_TYPE_NOT_SUPPORTED"
    })
    void methodCompatibilityFollowsTheDestinationsEventTypes(String type, FilterReason expected) {
        assertThat(reason(ofType(type), "warehouse")).isEqualTo(expected);
    }

    @Test
    void deleteOnlyGoesWhereItIsListed() {
        SegmentEvent delete = ofType("delete");

        assertThat(reason(delete, "crm")).isEqualTo(FilterReason.EVENT_TYPE_NOT_SUPPORTED);
        assertThat(reason(delete, "warehouse")).isNull();
    }

    @Test
    void sourceCompatibilityUsesTheHeaderSourceId() {
        assertThat(reason(withSource("ios"), "mobile-only")).isNull();
        assertThat(reason(withSource("web"), "mobile-only")).isEqualTo(FilterReason.SOURCE_NOT_ALLOWED);
        assertThat(reason(withSource("web"), "crm")).isNull();
    }

    @Test
    void anEventWithoutASourceIsKeptFromSourceRestrictedDestinations() {
        assertThat(reason(track(""), "mobile-only")).isEqualTo(FilterReason.SOURCE_NOT_ALLOWED);
    }

    @Test
    void rulesAreCheckedInTheDocumentedOrder() {
        SegmentEvent screenSwitchedOff = parse(null,
                "{\"type\":\"screen\",\"userId\":\"u1\",\"integrations\":{\"Warehouse\":false}}");

        assertThat(reason(screenSwitchedOff, "warehouse")).isEqualTo(FilterReason.INTEGRATIONS_DISABLED);
        assertThat(reason(screenSwitchedOff, "retired")).isEqualTo(FilterReason.DESTINATION_DISABLED);
        assertThat(reason(ofType("page"), "mobile-only")).isEqualTo(FilterReason.SOURCE_NOT_ALLOWED);
    }

    @Test
    void filterReasonCodesAreTheLowerCaseNames() {
        assertThat(FilterReason.INTEGRATIONS_ALL_FALSE.code()).isEqualTo("integrations_all_false");
        assertThat(FilterReason.SOURCE_NOT_ALLOWED.code()).isEqualTo("source_not_allowed");
    }

    private FilterReason reason(SegmentEvent event, String destinationId) {
        DestinationConfig destination = CATALOG.get(destinationId);
        FilterReason direct = EventRouter.filterReason(event, destination);
        RouteDecision decision = router.route(event).stream()
                .filter(candidate -> candidate.destination().id().equals(destinationId))
                .findFirst().orElseThrow();
        assertThat(decision.filterReason()).isEqualTo(direct);
        assertThat(decision.routed()).isEqualTo(direct == null);
        return direct;
    }

    private static SegmentEvent track(String extraFields) {
        return parse(null, "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"" + extraFields + "}");
    }

    private static SegmentEvent ofType(String type) {
        String extra = switch (type) {
            case "track" -> ",\"event\":\"E\"";
            case "group" -> ",\"groupId\":\"g1\"";
            case "alias" -> ",\"previousId\":\"a1\"";
            default -> "";
        };
        return parse(null, "{\"type\":\"" + type + "\",\"userId\":\"u1\"" + extra + "}");
    }

    private static SegmentEvent withSource(String sourceId) {
        return parse(sourceId, "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}");
    }

    private static SegmentEvent parse(String sourceId, String json) {
        ParseResult result = new SegmentEventParser().parse(
                new RawEvent("events", 0, 0, 0, sourceId, json.getBytes(StandardCharsets.UTF_8)));
        assertThat(result.invalid()).isEmpty();
        return result.events().get(0);
    }
}
