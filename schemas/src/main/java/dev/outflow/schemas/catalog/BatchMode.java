package dev.outflow.schemas.catalog;

import java.util.Locale;
import java.util.Optional;

/** How a destination's batches are formed between retries. */
public enum BatchMode {
    /**
     * Batches are formed from whatever is due: events coming back from a retry join new traffic, so the events
     * of a batch differ from one attempt to the next (Segment's "variable stream batches").
     */
    STREAM,
    /**
     * Large batches (1,000 events or more) for list and audience destinations: a failed batch is retried with
     * exactly the same events.
     */
    BULK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<BatchMode> fromWireName(String value) {
        for (BatchMode mode : values()) {
            if (mode.wireName().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
