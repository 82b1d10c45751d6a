package dev.outflow.schemas.catalog;

import dev.outflow.schemas.event.EventType;

import java.io.Serializable;
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
 * @param endpoint URL events are POSTed to (null for a function, which makes its own requests)
 * @param headers extra request headers, secrets resolved
 * @param secretHeaders names of the headers whose values came from secrets
 * @param eventTypes event types this destination accepts (method compatibility)
 * @param sourceIds sources whose events this destination accepts; empty means any source
 * @param batching batching limits
 * @param delivery timeouts and concurrency
 * @param function the code and settings of a {@code function} destination, null for the other types
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
        FunctionConfig function)
        implements Serializable {

    /** A destination that is not a function. */
    public DestinationConfig(String id, String name, DestinationType type, boolean enabled, String endpoint,
            Map<String, String> headers, Set<String> secretHeaders, Set<EventType> eventTypes, Set<String> sourceIds,
            BatchingConfig batching, DeliveryConfig delivery) {
        this(id, name, type, enabled, endpoint, headers, secretHeaders, eventTypes, sourceIds, batching, delivery,
                null);
    }

    public DestinationConfig {
        headers = Map.copyOf(headers);
        secretHeaders = Set.copyOf(secretHeaders);
        eventTypes = Set.copyOf(eventTypes);
        sourceIds = Set.copyOf(sourceIds);
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
                + ", sourceIds=" + sourceIds + ", batching=" + batching + ", delivery=" + delivery
                + (function == null ? "" : ", function=" + function) + "]";
    }
}
