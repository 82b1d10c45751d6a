package dev.outflow.operators.batching;

import dev.outflow.schemas.delivery.RoutedEvent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The batch a key is filling, on the heap. {@link DestinationBatcher} writes it to keyed state only when a checkpoint
 * is about to be taken ({@link #changedSinceSpill}), so adding an event costs no state access.
 *
 * <p>New events join it before their dedup check: {@link DestinationBatcher} checks them all at once when the batch
 * goes out or is written to state, and keeps their fingerprints here until then ({@link #uncheckedCount}).
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
    /** Of the events not checked for duplicates yet, in the order they came: index in {@link #events}. */
    private int[] uncheckedIndexes = new int[0];
    /** Their {@link SeenMessageIdFilter#hash}. */
    private long[] uncheckedHashes = new long[0];
    /** Their messageId's {@link String#hashCode}. */
    private int[] uncheckedChecks = new int[0];
    private int uncheckedCount;

    OpenBatch(long deadline, int expectedEvents) {
        this.deadline = deadline;
        this.events = new ArrayList<>(Math.min(expectedEvents, 1_024));
    }

    void add(RoutedEvent event) {
        events.add(event);
        bytes += event.payload().length;
        changedSinceSpill = true;
    }

    /** Adds an event whose messageId is still to be checked against what the key has seen. */
    void addUnchecked(RoutedEvent event, long hash, int check) {
        if (uncheckedCount == uncheckedHashes.length) {
            int size = Math.max(16, 2 * uncheckedCount);
            uncheckedIndexes = Arrays.copyOf(uncheckedIndexes, size);
            uncheckedHashes = Arrays.copyOf(uncheckedHashes, size);
            uncheckedChecks = Arrays.copyOf(uncheckedChecks, size);
        }
        uncheckedIndexes[uncheckedCount] = events.size();
        uncheckedHashes[uncheckedCount] = hash;
        uncheckedChecks[uncheckedCount] = check;
        uncheckedCount++;
        add(event);
    }

    int count() {
        return events.size();
    }

    int uncheckedCount() {
        return uncheckedCount;
    }

    /** The hashes of the unchecked events; only the first {@link #uncheckedCount} count. */
    long[] uncheckedHashes() {
        return uncheckedHashes;
    }

    RoutedEvent unchecked(int i) {
        return events.get(uncheckedIndexes[i]);
    }

    long uncheckedHash(int i) {
        return uncheckedHashes[i];
    }

    int uncheckedCheck(int i) {
        return uncheckedChecks[i];
    }

    /** Every event is checked now; {@code duplicates} (flags by unchecked position, or null for none) leave. */
    void checked(boolean[] duplicates) {
        if (duplicates != null) {
            List<RoutedEvent> kept = new ArrayList<>(events.size());
            boolean[] dropped = new boolean[events.size()];
            for (int i = 0; i < uncheckedCount; i++) {
                dropped[uncheckedIndexes[i]] = duplicates[i];
            }
            bytes = 0;
            for (int i = 0; i < events.size(); i++) {
                if (!dropped[i]) {
                    kept.add(events.get(i));
                    bytes += events.get(i).payload().length;
                }
            }
            events.clear();
            events.addAll(kept);
            changedSinceSpill = true;
        }
        uncheckedCount = 0;
    }
}
