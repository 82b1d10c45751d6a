package dev.outflow.schemas.catalog;

import java.io.Serializable;

/**
 * When a destination's buffered events are sent: whichever of the three limits is reached first.
 * {@code maxEvents = 1} is single-event delivery.
 *
 * @param maxEvents events per request
 * @param maxBytes bytes per request body (an event larger than this alone is still sent, alone)
 * @param maxWaitMs how long the first buffered event may wait for company
 * @param shards how many keys (and so up to how many subtasks) the destination's traffic is spread over
 * @param mode how batches are formed between retries
 */
public record BatchingConfig(int maxEvents, long maxBytes, long maxWaitMs, int shards, BatchMode mode)
        implements Serializable {

    public static final BatchingConfig SINGLE = new BatchingConfig(1, 512 * 1024, 1_000, 1);

    /** Bulk destinations take at least this many events per batch. */
    public static final int BULK_MIN_EVENTS = 1_000;

    public BatchingConfig(int maxEvents, long maxBytes, long maxWaitMs, int shards) {
        this(maxEvents, maxBytes, maxWaitMs, shards, BatchMode.STREAM);
    }

    public boolean isBulk() {
        return mode == BatchMode.BULK;
    }

    public boolean isSingle() {
        return maxEvents == 1;
    }
}
