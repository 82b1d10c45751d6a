package dev.outflow.operators.batching;

/**
 * The layout of one chunk of {@link DestinationBatcher#SEEN_NAME}: the dedup entries one write appended to one
 * bucket, as a {@code long[]}.
 *
 * <p>A chunk starts with {@link #PACKED}, then two longs per entry: the messageId's 64-bit farmhash
 * ({@link SeenMessageIdFilter#hash}), then when it was first seen (ms since 1970, {@value #SEEN_AT_BITS} bits, enough
 * until 2109) over the low {@value #CHECK_BITS} bits of its {@link String#hashCode}. That is 16 bytes an entry and
 * 86 bits of fingerprint: a new event is taken for a duplicate of another messageId about once in 10^19 lookups for
 * a key holding 8 million.
 *
 * <p>Chunks written before (up to commit 4a6a8b1) have no marker and three longs an entry (farmhash, seen at, the
 * whole String hash), 24 bytes. They are read as they are and expire by TTL like the rest; an old chunk would be
 * taken for a packed one only if its first farmhash were {@link #PACKED}, one chance in 2^64.
 */
final class SeenChunks {

    /** The first long of a packed chunk. */
    static final long PACKED = 0x5D1E_B0C3_7A29_E641L;
    static final int CHECK_BITS = 22;
    static final int SEEN_AT_BITS = Long.SIZE - CHECK_BITS;
    private static final long CHECK_MASK = (1L << CHECK_BITS) - 1;
    private static final long SEEN_AT_MASK = (1L << SEEN_AT_BITS) - 1;

    private SeenChunks() {}

    /** A packed chunk of {@code entries}' entries at {@code order[start]} up to {@code order[end - 1]}. */
    static long[] pack(UnwrittenFingerprints entries, int[] order, int start, int end) {
        long[] chunk = new long[1 + 2 * (end - start)];
        chunk[0] = PACKED;
        for (int i = start, at = 1; i < end; i++, at += 2) {
            chunk[at] = entries.fingerprint(order[i]);
            chunk[at + 1] = ((entries.seenAt(order[i]) & SEEN_AT_MASK) << CHECK_BITS)
                    | (entries.check(order[i]) & CHECK_MASK);
        }
        return chunk;
    }

    static boolean isPacked(long[] chunk) {
        return chunk.length % 2 == 1 && chunk[0] == PACKED;
    }

    /** Where the chunk's first entry starts. */
    static int first(boolean packed) {
        return packed ? 1 : 0;
    }

    /** Longs per entry. */
    static int step(boolean packed) {
        return packed ? 2 : 3;
    }

    /** The farmhash of the entry at {@code at}. */
    static long fingerprint(long[] chunk, int at) {
        return chunk[at];
    }

    /** When the entry at {@code at} was first seen (ms). */
    static long seenAt(long[] chunk, int at, boolean packed) {
        return packed ? chunk[at + 1] >>> CHECK_BITS : chunk[at + 1];
    }

    /** Whether the entry at {@code at} holds a messageId of String hash {@code check} (as far as it keeps it). */
    static boolean checkMatches(long[] chunk, int at, boolean packed, int check) {
        return packed ? (chunk[at + 1] & CHECK_MASK) == (check & CHECK_MASK) : chunk[at + 2] == check;
    }
}
