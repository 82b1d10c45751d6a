package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One event on its way to one destination: the unit that is batched, delivered and accounted for.
 *
 * @param destinationId the destination it goes to
 * @param shard which of the destination's shards batches it (stable per user, see the router)
 * @param messageId the event's messageId
 * @param eventType the Segment call type ({@code track}, ...)
 * @param payload the JSON body for this destination (UTF-8)
 * @param origin {@code topic/partition/offset} of the input record
 * @param routedAt when the router let it through (ms), the start of its delivery latency
 * @param attempts delivery attempts made so far (0 until the first one)
 * @param firstAttemptAt when the first attempt started (ms), 0 until then; the retry window counts from here
 * @param history the most recent attempts, oldest first (at most {@link #MAX_HISTORY}), written with a dead letter
 */
@TypeInfo(RoutedEventSerializer.Factory.class)
public record RoutedEvent(
        String destinationId, int shard, String messageId, String eventType, byte[] payload, String origin,
        long routedAt, int attempts, long firstAttemptAt, AttemptRecord[] history) {

    /** Older attempts are dropped from the history beyond this many; {@link #attempts} still counts them all. */
    public static final int MAX_HISTORY = 32;

    private static final AttemptRecord[] NO_ATTEMPTS = new AttemptRecord[0];

    /** Route keys are kept for this many shards of a destination; keys of higher shards are built each time. */
    static final int CACHED_SHARDS = 256;
    /** Destinations whose route keys are kept (a catalog's worth); past this, keys are built each time. */
    static final int CACHED_DESTINATIONS = 4_096;
    private static final ConcurrentHashMap<String, String[]> ROUTE_KEYS = new ConcurrentHashMap<>();

    /** A freshly routed event, never attempted. */
    public RoutedEvent(String destinationId, int shard, String messageId, String eventType, byte[] payload,
            String origin, long routedAt) {
        this(destinationId, shard, messageId, eventType, payload, origin, routedAt, 0, 0, NO_ATTEMPTS);
    }

    /** This event after one more attempt. */
    public RoutedEvent withAttempt(AttemptRecord attempt) {
        AttemptRecord[] kept;
        if (history.length < MAX_HISTORY) {
            kept = Arrays.copyOf(history, history.length + 1);
        } else {
            kept = Arrays.copyOfRange(history, 1, MAX_HISTORY + 1);
        }
        kept[kept.length - 1] = attempt;
        return new RoutedEvent(destinationId, shard, messageId, eventType, payload, origin, routedAt, attempts + 1,
                attempts == 0 ? attempt.at() : firstAttemptAt, kept);
    }

    /**
     * When a retry window of {@code windowMs} ends for this event: it counts from the first attempt, or for an event
     * never attempted (held back all along) from its routing.
     */
    public long retryWindowEnd(long windowMs) {
        return (attempts > 0 ? firstAttemptAt : routedAt) + windowMs;
    }

    /** The last attempt, or null before the first. */
    public AttemptRecord lastAttempt() {
        return history.length == 0 ? null : history[history.length - 1];
    }

    /** The key the batcher and everything after it partitions by. */
    public String routeKey() {
        return routeKey(destinationId, shard);
    }

    /**
     * {@code destinationId#shard}. The same String instance for the same pair (up to {@link #CACHED_SHARDS} shards):
     * the key is taken twice per event and destination (to partition it, then to key the batcher's state), and a new
     * String each time was built and hashed anew each time.
     */
    public static String routeKey(String destinationId, int shard) {
        if (shard < 0 || shard >= CACHED_SHARDS) {
            return destinationId + "#" + shard;
        }
        String[] keys = ROUTE_KEYS.get(destinationId);
        if (keys == null) {
            if (ROUTE_KEYS.size() >= CACHED_DESTINATIONS) {
                return destinationId + "#" + shard;
            }
            keys = ROUTE_KEYS.computeIfAbsent(destinationId, unused -> new String[CACHED_SHARDS]);
        }
        String key = keys[shard];
        if (key == null) {
            // a race only makes two equal Strings, one of which is kept
            key = destinationId + "#" + shard;
            keys[shard] = key;
        }
        return key;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RoutedEvent that
                && shard == that.shard
                && routedAt == that.routedAt
                && attempts == that.attempts
                && firstAttemptAt == that.firstAttemptAt
                && destinationId.equals(that.destinationId)
                && messageId.equals(that.messageId)
                && Objects.equals(eventType, that.eventType)
                && Objects.equals(origin, that.origin)
                && Arrays.equals(payload, that.payload)
                && Arrays.equals(history, that.history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationId, shard, messageId) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "RoutedEvent[" + routeKey() + ", " + messageId + ", " + payload.length + " bytes, " + attempts
                + " attempts]";
    }
}
