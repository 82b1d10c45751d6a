package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.DestinationConfig;

/**
 * What happens to one event for one delivery target (a webhook destination, or one subscription of an Actions
 * destination): routed with its body, filtered by a rule, or failed (it cannot be built, so it is dead-lettered).
 *
 * @param destination the delivery target; its id is the route id ({@code <destination>} or
 *     {@code <destination>/<subscription>})
 * @param filterReason the rule that kept the event away, else null
 * @param body the JSON to send when routed (the event, possibly filtered, or a subscription's mapped body)
 * @param failure why the body could not be built, else null
 */
public record RouteDecision(DestinationConfig destination, FilterReason filterReason, JsonNode body,
        String failure) {

    public RouteDecision(DestinationConfig destination, FilterReason filterReason) {
        this(destination, filterReason, null, null);
    }

    static RouteDecision filtered(DestinationConfig destination, FilterReason reason) {
        return new RouteDecision(destination, reason, null, null);
    }

    static RouteDecision routed(DestinationConfig destination, JsonNode body) {
        return new RouteDecision(destination, null, body, null);
    }

    static RouteDecision failed(DestinationConfig destination, String failure) {
        return new RouteDecision(destination, null, null, failure);
    }

    public boolean routed() {
        return filterReason == null && failure == null;
    }

    public boolean failed() {
        return failure != null;
    }

    /** The id deliveries, metrics and the delivery log use for this target. */
    public String routeId() {
        return destination.id();
    }
}
