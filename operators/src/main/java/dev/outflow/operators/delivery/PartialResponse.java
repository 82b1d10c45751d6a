package dev.outflow.operators.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.Json;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the per-item results of a {@code 207 Multi-Status} answer to a batch. Accepted bodies:
 *
 * <pre>
 * {"results": [{"messageId": "m1", "status": 200}, {"messageId": "m2", "status": 503}]}   by messageId
 * {"results": [200, 503]}  or  [200, 503]  or  [{"status": 200}, {"status": 503}]          by position
 * </pre>
 *
 * An item the body does not mention (or a body that cannot be read) takes status 200: 207 is a success class, and
 * retrying what the endpoint may well have taken would send it twice.
 */
public final class PartialResponse {

    private PartialResponse() {}

    /** One status per event, in the batch's order. */
    public static int[] itemStatuses(byte[] body, RoutedEvent[] events) {
        int[] statuses = new int[events.length];
        java.util.Arrays.fill(statuses, 200);
        JsonNode results;
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            results = root != null && root.isObject() ? root.get("results") : root;
        } catch (IOException e) {
            return statuses;
        }
        if (results == null || !results.isArray()) {
            return statuses;
        }
        Map<String, Integer> positions = new HashMap<>(events.length * 2);
        for (int i = 0; i < events.length; i++) {
            positions.putIfAbsent(events[i].messageId(), i);
        }
        for (int i = 0; i < results.size(); i++) {
            JsonNode item = results.get(i);
            JsonNode status = item.isObject() ? item.get("status") : item;
            if (status == null || !status.canConvertToInt() || status.asInt() < 100 || status.asInt() > 599) {
                continue;
            }
            Integer position = i < events.length ? i : null;
            JsonNode messageId = item.isObject() ? item.get("messageId") : null;
            if (messageId != null && messageId.isTextual()) {
                position = positions.get(messageId.asText());
            }
            if (position != null) {
                statuses[position] = status.asInt();
            }
        }
        return statuses;
    }
}
