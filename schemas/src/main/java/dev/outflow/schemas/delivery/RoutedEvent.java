package dev.outflow.schemas.delivery;

import java.util.Arrays;
import java.util.Objects;

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
 */
public record RoutedEvent(
        String destinationId, int shard, String messageId, String eventType, byte[] payload, String origin,
        long routedAt) {

    /** The key the batcher and everything after it partitions by. */
    public String routeKey() {
        return routeKey(destinationId, shard);
    }

    public static String routeKey(String destinationId, int shard) {
        return destinationId + "#" + shard;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RoutedEvent that
                && shard == that.shard
                && routedAt == that.routedAt
                && destinationId.equals(that.destinationId)
                && messageId.equals(that.messageId)
                && Objects.equals(eventType, that.eventType)
                && Objects.equals(origin, that.origin)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationId, shard, messageId) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "RoutedEvent[" + routeKey() + ", " + messageId + ", " + payload.length + " bytes]";
    }
}
