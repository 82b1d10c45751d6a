package dev.outflow.schemas.delivery;

import java.util.Arrays;
import java.util.Objects;

/**
 * Events of one destination shard waiting to be tried again. They travel through the retry topic back to the
 * batcher, which keeps them in keyed state until {@code dueAt}.
 *
 * @param destinationId the destination
 * @param shard the shard whose batcher parks them (the same key as their first trip)
 * @param events the events, each with its attempt history
 * @param dueAt not to be sent before this time (ms): backoff, a Retry-After, or an open circuit
 * @param keepTogether release them as one batch, as they are (bulk destinations); otherwise they join the
 *     shard's next batches with new traffic
 * @param destinationHeld {@code dueAt} is when the destination takes work again (a Retry-After, an open circuit),
 *     not these events' own backoff: the shard's new batches are held until then too, instead of each going to the
 *     delivery operator only to come back the same way
 */
public record ParkedBatch(String destinationId, int shard, RoutedEvent[] events, long dueAt, boolean keepTogether,
        boolean destinationHeld) {

    /**
     * No events: tells the shard's batcher that the destination answers again after a hold, so what it parked for
     * the hold can go out now rather than when the hold's probe would have timed out.
     */
    public static ParkedBatch resume(String destinationId, int shard, long now) {
        return new ParkedBatch(destinationId, shard, new RoutedEvent[0], now, false, false);
    }

    /** Whether this is a {@link #resume} message rather than events. */
    public boolean resumes() {
        return events.length == 0;
    }

    /** Events parked for their own backoff (or a bulk batch's), the destination not held. */
    public ParkedBatch(String destinationId, int shard, RoutedEvent[] events, long dueAt, boolean keepTogether) {
        this(destinationId, shard, events, dueAt, keepTogether, false);
    }

    public String routeKey() {
        return RoutedEvent.routeKey(destinationId, shard);
    }

    public int size() {
        return events.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ParkedBatch that
                && shard == that.shard
                && dueAt == that.dueAt
                && keepTogether == that.keepTogether
                && destinationHeld == that.destinationHeld
                && destinationId.equals(that.destinationId)
                && Arrays.equals(events, that.events);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationId, shard, dueAt, keepTogether, destinationHeld) * 31 + Arrays.hashCode(events);
    }

    @Override
    public String toString() {
        return "ParkedBatch[" + routeKey() + ", " + events.length + " events, due " + dueAt
                + (keepTogether ? ", kept together" : "") + (destinationHeld ? ", destination held" : "") + "]";
    }
}
