package dev.outflow.operators.delivery;

import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import java.io.ByteArrayOutputStream;
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
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                batch.payloadBytes() + events.length + 1));
        body.write('[');
        for (int i = 0; i < events.length; i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(events[i].payload());
        }
        body.write(']');
        return body.toByteArray();
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
