package dev.outflow.operators.delivery;

import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import java.util.HashMap;
import java.util.Map;

/** How a batch is put on the wire: the body and the headers of its request. */
public final class DeliveryRequests {

    /**
     * Carries the messageId of a single event, or the comma-separated messageIds of a batch, so an endpoint can
     * drop a request it has already processed. Sent on every attempt.
     */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    private DeliveryRequests() {}

    /** The event itself for a single-event destination; a JSON array of the events for a batching one. */
    public static byte[] body(DeliveryBatch batch, boolean asArray) {
        RoutedEvent[] events = batch.events();
        if (!asArray && events.length == 1) {
            return events[0].payload();
        }
        int length = events.length + 1;
        for (RoutedEvent event : events) {
            length += event.payload().length;
        }
        // sized exactly and filled in place: a batch body is tens of kilobytes, built once per request
        byte[] body = new byte[Math.max(2, length)];
        body[0] = '[';
        int at = 1;
        for (int i = 0; i < events.length; i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            byte[] payload = events[i].payload();
            System.arraycopy(payload, 0, body, at, payload.length);
            at += payload.length;
        }
        body[at] = ']';
        return body;
    }

    public static Map<String, String> headers(DeliveryBatch batch, Map<String, String> configured) {
        Map<String, String> headers = new HashMap<>(configured.size() + 2);
        headers.putAll(configured);
        headers.put(IDEMPOTENCY_HEADER, idempotencyKey(batch));
        return headers;
    }

    static String idempotencyKey(DeliveryBatch batch) {
        RoutedEvent[] events = batch.events();
        if (events.length == 1) {
            return events[0].messageId();
        }
        StringBuilder key = new StringBuilder(events.length * 37);
        for (int i = 0; i < events.length; i++) {
            if (i > 0) {
                key.append(',');
            }
            key.append(events[i].messageId());
        }
        return key.toString();
    }
}
