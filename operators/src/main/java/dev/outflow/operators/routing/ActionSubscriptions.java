package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.rules.fql.FqlParseException;
import dev.outflow.rules.fql.Subscription;
import dev.outflow.rules.mapping.Mapping;
import dev.outflow.rules.mapping.MappingRuntimeException;
import dev.outflow.rules.mapping.MappingValidationException;
import dev.outflow.schemas.catalog.ActionSubscriptionConfig;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The subscriptions of one Actions destination, compiled: each event is matched against every trigger, and each
 * subscription that fires gets its own request body from its mapping. Every subscription gets a decision.
 */
final class ActionSubscriptions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<Compiled> subscriptions;

    private ActionSubscriptions(List<Compiled> subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** @throws CatalogException naming the subscription's field when a trigger or a mapping is not valid */
    static ActionSubscriptions compile(DestinationCatalog catalog, DestinationConfig destination) {
        List<Compiled> compiled = new ArrayList<>();
        for (int i = 0; i < destination.subscriptions().size(); i++) {
            ActionSubscriptionConfig config = destination.subscriptions().get(i);
            String field = "subscriptions[" + i + "]";
            Subscription trigger;
            try {
                trigger = Subscription.parse(config.trigger());
            } catch (FqlParseException e) {
                throw new CatalogException(catalog.source(), destination.id(), field + ".subscribe",
                        "is not a valid FQL subscription: " + e.getMessage());
            }
            Mapping mapping;
            try {
                mapping = Mapping.compile(config.mapping());
            } catch (MappingValidationException e) {
                throw new CatalogException(catalog.source(), destination.id(), field + ".mapping",
                        "invalid directive at " + e.path() + ": " + e.getMessage());
            }
            compiled.add(new Compiled(catalog.get(destination.id() + DestinationConfig.SUBSCRIPTION_SEPARATOR
                    + config.key()), config, trigger, mapping));
        }
        return new ActionSubscriptions(List.copyOf(compiled));
    }

    /** One decision per subscription for an event no subscription may get. */
    void filterAll(FilterReason reason, List<RouteDecision> decisions) {
        for (Compiled subscription : subscriptions) {
            decisions.add(RouteDecision.filtered(subscription.target, reason));
        }
    }

    void decide(JsonNode event, List<RouteDecision> decisions) {
        for (Compiled subscription : subscriptions) {
            if (!subscription.config.enabled()) {
                decisions.add(RouteDecision.filtered(subscription.target, FilterReason.SUBSCRIPTION_DISABLED));
            } else if (!subscription.trigger.matches(event)) {
                decisions.add(RouteDecision.filtered(subscription.target, FilterReason.SUBSCRIPTION_NOT_MATCHED));
            } else {
                decisions.add(map(subscription, event));
            }
        }
    }

    private static RouteDecision map(Compiled subscription, JsonNode event) {
        try {
            JsonNode body = subscription.mapping.transform(event);
            if (body.isMissingNode()) {
                return RouteDecision.failed(subscription.target, "mapping_failed: the mapping produced nothing");
            }
            return RouteDecision.routed(subscription.target, body);
        } catch (MappingRuntimeException e) {
            return RouteDecision.failed(subscription.target, "mapping_failed: " + e.getMessage());
        }
    }

    private record Compiled(DestinationConfig target, ActionSubscriptionConfig config, Subscription trigger,
            Mapping mapping) implements Serializable {}
}
