package dev.outflow.operators.delivery;

import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** How a batch is put on the wire: the body and the headers of its request. */
public final class DeliveryRequests {

    /**
     * Carries the messageId of a single event, or {@link #batchKey a key made from a batch's messageIds}, so an
     * endpoint can drop a request it has already processed. Sent on every attempt.
     */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    /** How a batch's idempotency key starts: {@code batch:<events>:<32 hex digits>}. */
    public static final String BATCH_KEY_PREFIX = "batch:";

    private static final HashFunction BATCH_KEY_HASH = Hashing.murmur3_128();

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
        return events.length == 1 ? events[0].messageId() : batchKey(events);
    }

    /**
     * {@code batch:<events>:<hex>}, the hex a 128-bit murmur3 of the messageIds in order: the same for every attempt
     * of the same events (a bulk batch's retries), another for a batch made up anew. The messageIds themselves, as
     * the key was until 2026-12-07, made the header grow with the batch: 3.7 KB for a hundred events, parsed and
     * formatted a character at a time on both ends, and past the 8 KB that servers commonly allow for a request's
     * headers for a bulk batch of a thousand. Each event's messageId is in the body for endpoints that drop
     * duplicates by event.
     */
    public static String batchKey(RoutedEvent[] events) {
        Hasher hasher = BATCH_KEY_HASH.newHasher();
        for (RoutedEvent event : events) {
            hasher.putString(event.messageId(), StandardCharsets.UTF_8).putByte((byte) 0);
        }
        return BATCH_KEY_PREFIX + events.length + ":" + hasher.hash();
    }
}
