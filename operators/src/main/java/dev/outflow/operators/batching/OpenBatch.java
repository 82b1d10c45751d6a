package dev.outflow.operators.batching;

import dev.outflow.schemas.delivery.RoutedEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch a key is filling, on the heap. {@link DestinationBatcher} writes it to keyed state only when a checkpoint
 * is about to be taken ({@link #changedSinceSpill}), so adding an event costs no state access.
 */
final class OpenBatch {

    final List<RoutedEvent> events;
    long bytes;
    /** Processing time at which the batch goes out regardless (its timer). */
    final long deadline;
    /** Whether keyed state holds a copy, which the flush must then clear. */
    boolean inState;
    /** Whether events arrived since the last copy to keyed state. */
    boolean changedSinceSpill;

    OpenBatch(long deadline, int expectedEvents) {
        this.deadline = deadline;
        this.events = new ArrayList<>(Math.min(expectedEvents, 1_024));
    }

    void add(RoutedEvent event) {
        events.add(event);
        bytes += event.payload().length;
        changedSinceSpill = true;
    }

    int count() {
        return events.size();
    }
}
