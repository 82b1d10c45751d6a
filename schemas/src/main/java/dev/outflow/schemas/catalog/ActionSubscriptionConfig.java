package dev.outflow.schemas.catalog;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One subscription of an Actions destination: when its trigger matches, the mapping builds the request body and
 * the action sends it.
 *
 * @param key the subscription's part of its route id ({@code <destination>/<key>}): its name, slugged
 * @param name display name
 * @param trigger the FQL subscription ({@code subscribe})
 * @param mapping the mapping-kit mapping whose output is the request body
 * @param method HTTP method of the action
 * @param url URL template; {@code {{field}}} placeholders read the mapped body, URL-encoded
 * @param headers request headers (the destination's, then the subscription's), secrets resolved
 * @param secretHeaders names of the headers whose values are secrets
 * @param batching batching limits of this subscription
 * @param syncMode how the destination should apply the records, sent in {@link SyncMode#HEADER}
 * @param enabled a disabled subscription fires for nothing; its events are counted as filtered
 */
public record ActionSubscriptionConfig(
        String key, String name, String trigger, JsonNode mapping, String method, String url,
        Map<String, String> headers, Set<String> secretHeaders, BatchingConfig batching, SyncMode syncMode,
        boolean enabled) implements Serializable {

    public ActionSubscriptionConfig {
        headers = Map.copyOf(headers);
        secretHeaders = Set.copyOf(secretHeaders);
    }

    /** Whether the URL depends on the event, so each request carries one event. */
    public boolean perEventUrl() {
        return url.contains("{{");
    }

    public Map<String, String> maskedHeaders() {
        Map<String, String> masked = new TreeMap<>();
        headers.forEach((header, value) -> masked.put(header, secretHeaders.contains(header) ? "****" : value));
        return masked;
    }

    @Override
    public String toString() {
        return "ActionSubscriptionConfig[key=" + key + ", name=" + name + ", trigger=" + trigger + ", method="
                + method + ", url=" + url + ", headers=" + maskedHeaders() + ", syncMode=" + syncMode.wireName()
                + ", batching=" + batching + ", enabled=" + enabled + "]";
    }
}
