package dev.outflow.schemas.catalog;

import dev.outflow.schemas.event.EventType;

import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One configured destination. Header values may hold secrets (resolved from the environment at load time), so
 * {@link #toString()} never prints them.
 *
 * @param id stable identifier: the key of the destination's state, metrics and delivery-log records
 * @param name display name; the {@code integrations} object of an event refers to destinations by this name
 * @param type how events are delivered
 * @param enabled a disabled destination receives nothing; its events are counted as filtered
 * @param endpoint URL events are sent to (null for a function, which makes its own requests, and for an
 *     Actions destination, whose subscriptions have their own)
 * @param headers extra request headers, secrets resolved
 * @param secretHeaders names of the headers whose values came from secrets
 * @param eventTypes event types this destination accepts (method compatibility)
 * @param sourceIds sources whose events this destination accepts; empty means any source
 * @param batching batching limits
 * @param delivery timeouts and concurrency
 * @param function the code and settings of a {@code function} destination, null for the other types
 * @param method HTTP method of the requests ({@code POST} for webhooks)
 * @param filters destination filters, in file order (applied in Segment's order, see {@link FilterAction})
 * @param subscriptions the subscriptions of an Actions destination, empty for others
 */
public record DestinationConfig(
        String id,
        String name,
        DestinationType type,
        boolean enabled,
        String endpoint,
        Map<String, String> headers,
        Set<String> secretHeaders,
        Set<EventType> eventTypes,
        Set<String> sourceIds,
        BatchingConfig batching,
        DeliveryConfig delivery,
        FunctionConfig function,
        String method,
        List<FilterConfig> filters,
        List<ActionSubscriptionConfig> subscriptions)
        implements Serializable {

    /** Separates a destination id from a subscription key in the route id of a subscription. */
    public static final char SUBSCRIPTION_SEPARATOR = '/';

    /** A webhook destination without filters. */
    public DestinationConfig(String id, String name, DestinationType type, boolean enabled, String endpoint,
            Map<String, String> headers, Set<String> secretHeaders, Set<EventType> eventTypes, Set<String> sourceIds,
            BatchingConfig batching, DeliveryConfig delivery) {
        this(id, name, type, enabled, endpoint, headers, secretHeaders, eventTypes, sourceIds, batching, delivery,
                null);
    }

    /** A destination without filters or subscriptions. */
    public DestinationConfig(String id, String name, DestinationType type, boolean enabled, String endpoint,
            Map<String, String> headers, Set<String> secretHeaders, Set<EventType> eventTypes, Set<String> sourceIds,
            BatchingConfig batching, DeliveryConfig delivery, FunctionConfig function) {
        this(id, name, type, enabled, endpoint, headers, secretHeaders, eventTypes, sourceIds, batching, delivery,
                function, "POST", List.of(), List.of());
    }

    public DestinationConfig {
        filters = List.copyOf(filters);
        subscriptions = List.copyOf(subscriptions);
        headers = Map.copyOf(headers);
        secretHeaders = Set.copyOf(secretHeaders);
        eventTypes = Set.copyOf(eventTypes);
        sourceIds = Set.copyOf(sourceIds);
    }

    public boolean isActions() {
        return type == DestinationType.ACTIONS;
    }

    /** Whether {@code delete} events (user deletion requests) are routed here. */
    public boolean handlesDeletes() {
        return eventTypes.contains(dev.outflow.schemas.event.EventType.DELETE);
    }

    /**
     * The delivery target of one subscription of this Actions destination: what the batcher, the HTTP delivery and
     * the outcome accounting see under the route id {@code <destination>/<subscription>}.
     */
    public DestinationConfig subscriptionTarget(ActionSubscriptionConfig subscription) {
        Map<String, String> targetHeaders = new HashMap<>(subscription.headers());
        targetHeaders.put(SyncMode.HEADER, subscription.syncMode().wireName());
        Set<String> secrets = new HashSet<>(subscription.secretHeaders());
        return new DestinationConfig(id + SUBSCRIPTION_SEPARATOR + subscription.key(),
                name + " / " + subscription.name(), type, enabled && subscription.enabled(), subscription.url(),
                targetHeaders, secrets, eventTypes, sourceIds, subscription.batching(), delivery, null,
                subscription.method(), List.of(), List.of());
    }

    public boolean acceptsSource(String sourceId) {
        return sourceIds.isEmpty() || (sourceId != null && sourceIds.contains(sourceId));
    }

    /** Header values with every secret replaced by a mask, for logs and the CLI. */
    public Map<String, String> maskedHeaders() {
        Map<String, String> masked = new TreeMap<>();
        headers.forEach((name, value) -> masked.put(name, secretHeaders.contains(name) ? "****" : value));
        return masked;
    }

    @Override
    public String toString() {
        return "DestinationConfig[id=" + id + ", name=" + name + ", type=" + type.wireName() + ", enabled=" + enabled
                + ", endpoint=" + endpoint + ", headers=" + maskedHeaders() + ", eventTypes=" + eventTypes
                + ", sourceIds=" + sourceIds + ", batching=" + batching + ", delivery=" + delivery + ", method=" + method
                + ", filters=" + filters + ", subscriptions=" + subscriptions
                + (function == null ? "" : ", function=" + function) + "]";
    }
}
