package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * The freshly routed pairs of one event whose destinations batch on the same batcher subtask: what routing sends
 * over the network to batching, one record per (event, subtask) instead of one per (event, destination). The
 * event's own fields travel once, and destinations that take the event unchanged share one copy of its payload.
 * The batcher processes each pair under its own key ({@link RoutedEvent#routeKey()}); the bundle is keyed by its
 * first pair's.
 *
 * @param events at least one; all of the same event (messageId, type, origin, routing time), none attempted yet
 */
@TypeInfo(RoutedBundleSerializer.Factory.class)
public record RoutedBundle(RoutedEvent[] events) {

    public RoutedBundle {
        if (events.length == 0) {
            throw new IllegalArgumentException("a routed bundle needs at least one event");
        }
        RoutedEvent first = events[0];
        for (RoutedEvent event : events) {
            if (event.attempts() > 0 || event.routedAt() != first.routedAt()
                    || !Objects.equals(event.messageId(), first.messageId())
                    || !Objects.equals(event.eventType(), first.eventType())
                    || !Objects.equals(event.origin(), first.origin())) {
                throw new IllegalArgumentException("a routed bundle holds fresh pairs of one event, got " + event
                        + " next to " + first);
            }
        }
    }

    /** A bundle of one pair. */
    public static RoutedBundle of(RoutedEvent event) {
        return new RoutedBundle(new RoutedEvent[] {event});
    }

    /** The key the bundle travels under: its first pair's. */
    public String routeKey() {
        return events[0].routeKey();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RoutedBundle that && Arrays.equals(events, that.events);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(events);
    }

    @Override
    public String toString() {
        return "RoutedBundle" + Arrays.toString(events);
    }
}
