package dev.outflow.operators.routing;

import dev.outflow.schemas.catalog.DestinationConfig;

/**
 * Whether one event goes to one destination and, if not, the rule that stopped it.
 *
 * @param destination the destination
 * @param filterReason null when the event goes there, else a stable rule code (see {@link FilterReason})
 */
public record RouteDecision(DestinationConfig destination, FilterReason filterReason) {

    public boolean routed() {
        return filterReason == null;
    }
}
