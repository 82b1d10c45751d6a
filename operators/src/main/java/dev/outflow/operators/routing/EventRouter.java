package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.event.SegmentEvent;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, for one event, which destinations get it, with Segment's semantics: disabled destinations,
 * device-mode bundling, the {@code integrations} object, method and source compatibility.
 *
 * <p>Every destination of the catalog gets a decision, so every (event, destination) pair can be accounted for.
 */
public final class EventRouter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;

    public EventRouter(DestinationCatalog catalog) {
        this.catalog = catalog;
    }

    public List<RouteDecision> route(SegmentEvent event) {
        List<RouteDecision> decisions = new ArrayList<>(catalog.destinations().size());
        for (DestinationConfig destination : catalog.destinations()) {
            decisions.add(new RouteDecision(destination, filterReason(event, destination)));
        }
        return decisions;
    }

    /** Null when the event goes to the destination. */
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
