package dev.outflow.operators.batching;

import java.util.Arrays;

/**
 * The dedup entries one batcher key has seen since it last wrote them to its state: a messageId's fingerprint
 * ({@link SeenMessageIdFilter#hash}), when it was seen and its {@link String#hashCode}, in three growing primitive
 * arrays. A {@code HashMap<Long, long[]>} held them before, and its allocations and the cache misses of walking its
 * nodes cost the batcher about 3 µs per event in the throughput benchmark (three entries per event there).
 *
 * <p>{@link #indexOf} scans the fingerprints, newest first: it runs only when the key's {@link SeenMessageIdFilter}
 * says a messageId may have been seen (a few lookups in 10,000, or a real duplicate), over at most
 * {@link DestinationBatcher#MAX_UNWRITTEN_SEEN_PER_KEY} entries. Newest first, a repeat sent seconds after its
 * original (a client's retry) is found at once rather than after everything the key saw since its last write.
 */
final class UnwrittenFingerprints {

    /** Entries a key may hold: room enough for any write threshold, and a bound on a runaway key's memory. */
    static final int MAX_ENTRIES = 1 << 24;

    private long[] fingerprints = new long[64];
    private long[] seenAts = new long[64];
    private int[] checks = new int[64];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds an entry. Nothing stops a fingerprint from being added twice: where that matters, ask {@link #indexOf}. */
    void add(long fingerprint, long seenAt, int check) {
        if (size == fingerprints.length) {
            if (size == MAX_ENTRIES) {
                throw new IllegalStateException("a key holds at most " + MAX_ENTRIES + " unwritten dedup entries");
            }
            int grown = Math.min(MAX_ENTRIES, 2 * size);
            fingerprints = Arrays.copyOf(fingerprints, grown);
            seenAts = Arrays.copyOf(seenAts, grown);
            checks = Arrays.copyOf(checks, grown);
        }
        fingerprints[size] = fingerprint;
        seenAts[size] = seenAt;
        checks[size] = check;
        size++;
    }

    /** The entry at {@code index} now says its fingerprint was seen at {@code seenAt}, with {@code check}. */
    void replace(int index, long seenAt, int check) {
        seenAts[index] = seenAt;
        checks[index] = check;
    }

    /** Where {@code fingerprint} is held (its newest entry, should it be held twice), or -1. */
    int indexOf(long fingerprint) {
        for (int i = size - 1; i >= 0; i--) {
            if (fingerprints[i] == fingerprint) {
                return i;
            }
        }
        return -1;
    }

    long fingerprint(int index) {
        return fingerprints[index];
    }

    long seenAt(int index) {
        return seenAts[index];
    }

    int check(int index) {
        return checks[index];
    }

    /**
     * The entries grouped by bucket, a fingerprint's top {@code bucketBits} bits (as
     * {@link DestinationBatcher#bucketOf} takes them): bucket {@code b} holds {@code order[starts[b]]} up to
     * {@code order[starts[b + 1] - 1]}, in the order they were added. A counting pass and a placing pass: sorting
     * 400,000 fingerprints for each write was a fifth of the write's CPU in the throughput benchmark, and nothing
     * reads a bucket's entries in any particular order.
     */
    Buckets byBucket(int bucketBits) {
        int shift = Long.SIZE - bucketBits;
        int[] starts = new int[(1 << bucketBits) + 1];
        for (int i = 0; i < size; i++) {
            starts[(int) (fingerprints[i] >>> shift) + 1]++;
        }
        for (int bucket = 1; bucket < starts.length; bucket++) {
            starts[bucket] += starts[bucket - 1];
        }
        int[] next = Arrays.copyOf(starts, starts.length - 1);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[next[(int) (fingerprints[i] >>> shift)]++] = i;
        }
        return new Buckets(order, starts);
    }

    /** Entry indexes by bucket, see {@link #byBucket}. */
    record Buckets(int[] order, int[] starts) {}

    /** Forgets every entry, keeping the arrays: a key that filled them once is likely to fill them again. */
    void clear() {
        size = 0;
    }
}
