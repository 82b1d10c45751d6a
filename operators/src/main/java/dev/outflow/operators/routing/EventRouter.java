package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.event.SegmentEvent;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, for one event, which destinations get it and in what form, with Segment's semantics, in this order:
 * disabled destinations, user suppression, device-mode bundling, the {@code integrations} object, method and source
 * compatibility; then the destination's filters (sample, drop, drop properties, allow properties); then blocked
 * fields and PII hashing; and for an Actions destination, each subscription's trigger and mapping.
 *
 * <p>Every delivery target (each webhook destination, each subscription of an Actions destination) gets a decision,
 * so every (event, target) pair can be accounted for. Building a router compiles every FQL condition and mapping of
 * the catalog: an invalid one fails here, at start-up, with a {@link dev.outflow.schemas.catalog.CatalogException}
 * naming the file, the destination and the field.
 */
public final class EventRouter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<CompiledDestination> destinations;
    private final PrivacyRules privacy;

    public EventRouter(DestinationCatalog catalog) {
        List<CompiledDestination> compiled = new ArrayList<>(catalog.destinations().size());
        for (DestinationConfig destination : catalog.destinations()) {
            compiled.add(new CompiledDestination(destination,
                    DestinationFilters.compile(catalog.source(), destination),
                    destination.isActions() ? ActionSubscriptions.compile(catalog, destination) : null));
        }
        this.destinations = List.copyOf(compiled);
        this.privacy = new PrivacyRules(catalog.privacy());
    }

    public List<RouteDecision> route(SegmentEvent event) {
        return route(event, (SuppressionMode) null);
    }

    /**
     * As {@link #route(SegmentEvent)}, for a user the suppression topic lists with {@code fromTopic} (null when it
     * does not list the user).
     */
    public List<RouteDecision> route(SegmentEvent event, SuppressionMode fromTopic) {
        List<RouteDecision> decisions = new ArrayList<>(destinations.size());
        boolean suppressed = privacy.suppressed(event, fromTopic);
        for (CompiledDestination compiled : destinations) {
            route(event, suppressed, compiled, decisions);
        }
        return decisions;
    }

    /** The decisions for one destination only (what {@code outflow actions test} shows). */
    public List<RouteDecision> route(SegmentEvent event, String destinationId) {
        List<RouteDecision> decisions = new ArrayList<>();
        for (CompiledDestination compiled : destinations) {
            if (compiled.config.id().equals(destinationId)) {
                route(event, privacy.suppressed(event, null), compiled, decisions);
            }
        }
        return decisions;
    }

    private void route(SegmentEvent event, boolean suppressed, CompiledDestination compiled,
            List<RouteDecision> decisions) {
        DestinationConfig destination = compiled.config;
        FilterReason reason = destination.enabled() && suppressed
                ? FilterReason.USER_SUPPRESSED
                : filterReason(event, destination);
        EventCopy copy = new EventCopy(event.json());
        if (reason == null) {
            reason = compiled.filters.apply(copy, event.messageId());
        }
        if (reason == null) {
            reason = privacy.apply(copy, destination.id());
        }
        if (compiled.subscriptions == null) {
            decisions.add(reason == null
                    ? RouteDecision.routed(destination, copy.current())
                    : RouteDecision.filtered(destination, reason));
        } else if (reason != null) {
            compiled.subscriptions.filterAll(reason, decisions);
        } else {
            compiled.subscriptions.decide(copy.current(), decisions);
        }
    }

    private record CompiledDestination(DestinationConfig config, DestinationFilters filters,
            ActionSubscriptions subscriptions) implements Serializable {}

    /** Null when the event goes to the destination as far as Segment's connection rules go. */
    static FilterReason filterReason(SegmentEvent event, DestinationConfig destination) {
        if (!destination.enabled()) {
            return FilterReason.DESTINATION_DISABLED;
        }
        if (bundled(event.metadata(), destination)) {
            return FilterReason.BUNDLED_DEVICE_MODE;
        }
        FilterReason integrations = integrations(event.integrations(), destination);
        if (integrations != null) {
            return integrations;
        }
        if (!destination.eventTypes().contains(event.type())) {
            return FilterReason.EVENT_TYPE_NOT_SUPPORTED;
        }
        if (!destination.acceptsSource(event.sourceId())) {
            return FilterReason.SOURCE_NOT_ALLOWED;
        }
        return null;
    }

    /** Device-mode libraries list what they already sent in {@code _metadata.bundled}, by destination name. */
    private static boolean bundled(JsonNode metadata, DestinationConfig destination) {
        JsonNode bundled = metadata.path("bundled");
        if (!bundled.isArray()) {
            return false;
        }
        for (JsonNode name : bundled) {
            if (name.isTextual() && (name.asText().equals(destination.name()) || name.asText().equals(destination.id()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A destination's own entry wins over {@code All}: {@code false} turns it off, {@code true} or an options
     * object turns it on even under {@code All: false}.
     */
    private static FilterReason integrations(JsonNode integrations, DestinationConfig destination) {
        if (!integrations.isObject()) {
            return null;
        }
        JsonNode own = integrations.get(destination.name());
        if (own == null) {
            own = integrations.get(destination.id());
        }
        if (own != null && !own.isNull()) {
            return own.isBoolean() && !own.booleanValue() ? FilterReason.INTEGRATIONS_DISABLED : null;
        }
        JsonNode all = integrations.get("All");
        if (all != null && all.isBoolean() && !all.booleanValue()) {
            return FilterReason.INTEGRATIONS_ALL_FALSE;
        }
        return null;
    }
}
