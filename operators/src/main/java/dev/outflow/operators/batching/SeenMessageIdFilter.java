package dev.outflow.operators.batching;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The messageIds one batcher key has recorded in its dedup state, as bloom filters, so that the dedup check reads
 * RocksDB only for a messageId the key may have seen: a real duplicate, or one of about one in a hundred false
 * alarms. Nearly every event is new, and a RocksDB point read per event and destination was a third of the
 * batcher's CPU in the throughput benchmark.
 *
 * <p>The filter may say "maybe" wrongly, never "no": a "no" skips the dedup state, so it must be certain.
 * <ul>
 *   <li>Each filter is a blocked bloom filter: a messageId's bits all lie in one 512-bit block (a cache line's size;
 *       Java does not align arrays, so one or two lines), so a lookup costs one memory access per generation, and
 *       the bits come from the messageId's one 64-bit hash.
 *       (Guava's {@code BloomFilter} hashed its input again on every lookup and insert, allocating a buffer each
 *       time: the filter cost the batcher more than the RocksDB read it saves.) Twenty bits per entry and nine
 *       per messageId give 0.049% false alarms over the three generations of a key grown to 2 million, 0.017% for
 *       one built again in one generation (see below); each false alarm reads a bucket of the dedup state, tens to
 *       hundreds of µs. Seven bits per messageId and four generations gave 0.095%, and bucket reads took an eighth
 *       of the batcher's CPU in the throughput benchmark (a third of that with nine bits).
 *   <li>Filters come in generations of growing size, so a quiet key stays small; a generation whose newest entry
 *       is older than the dedup window is dropped whole (its entries can no longer make a duplicate). Each is eight
 *       times the size of the last (up to {@link #LARGEST_GENERATION_ENTRIES}): every lookup touches one block per
 *       generation, a cache and TLB miss once a task's filters outgrow the caches (about 200 ns each on the
 *       benchmark machine), and takes one chance of a false alarm in each. At four times, a key holding 2 million
 *       had four generations (8.3 MB), and the lookups were a quarter of the batcher's CPU. When a key starts
 *       its first generation of the largest size, {@link DestinationBatcher} builds its filter again with that
 *       generation first, from the key's dedup state: one block per lookup instead of three (5 MB).
 *   <li>Near {@code maxEntries} a last generation takes only the room that is left. Past it, a key drops its
 *       oldest generation early and answers "maybe" to everything until that generation's entries are out of the
 *       window: such a key reads RocksDB for every event, as it would without a filter. More shards per
 *       destination give each key fewer entries.
 *   <li>It lives on the heap. {@link DestinationBatcher} builds a key's filter from the key's dedup state the
 *       first time an instance sees the key (after a restore or a rescale, what the checkpoint holds; on a fresh
 *       start, nothing). A state too large to read back makes the filter answer "maybe" for a whole window.
 * </ul>
 */
final class SeenMessageIdFilter {

    static final int FIRST_GENERATION_ENTRIES = 1 << 16;
    static final int LARGEST_GENERATION_ENTRIES = 1 << 21;
    static final int GENERATION_GROWTH = 8;
    static final int BITS_PER_ENTRY = 20;
    static final int BITS_PER_MESSAGE_ID = 9;
    /** Positions taken from the mixed hash, nine bits each; the rest come from the hash's low half. */
    private static final int MIXED_POSITIONS = 7;
    private static final int WORDS_PER_BLOCK = 8;
    private static final int BITS_PER_BLOCK = WORDS_PER_BLOCK * Long.SIZE;

    private static final HashFunction MESSAGE_ID_HASH = Hashing.farmHashFingerprint64();

    /** One blocked bloom filter and what it holds. */
    private static final class Generation {
        final long[] words;
        final long blocks;
        final int capacity;
        int entries;
        long newestSeenAt = Long.MIN_VALUE;

        Generation(int capacity) {
            this.capacity = capacity;
            this.blocks = Math.max(1, ((long) capacity * BITS_PER_ENTRY + BITS_PER_BLOCK - 1) / BITS_PER_BLOCK);
            this.words = new long[Math.toIntExact(blocks * WORDS_PER_BLOCK)];
        }

        /**
         * Nonzero when one of the messageId's bits is not set. No early exit: every generation's block is read
         * before any answer is looked at (see {@link SeenMessageIdFilter#mayHaveSeen(long, long)}). {@code mixed}: the
         * hash's {@link #bitsInBlock}.
         */
        long missingBits(long hash, long mixed) {
            int first = firstWord(hash);
            long missing = 0;
            for (int i = 0; i < BITS_PER_MESSAGE_ID; i++) {
                int bit = position(hash, mixed, i);
                missing |= ~words[first + (bit >>> 6)] & (1L << bit);
            }
            return missing;
        }

        void put(long hash) {
            int first = firstWord(hash);
            long mixed = bitsInBlock(hash);
            for (int i = 0; i < BITS_PER_MESSAGE_ID; i++) {
                int bit = position(hash, mixed, i);
                words[first + (bit >>> 6)] |= 1L << bit;
            }
        }

        /**
         * The {@code i}-th bit of a messageId inside its block: seven from the mixed hash, the others from the
         * hash's low half (the block is picked by its high half, so they do not depend on it either).
         */
        private static int position(long hash, long mixed, int i) {
            long bits = i < MIXED_POSITIONS ? mixed >>> (9 * i) : hash >>> (9 * (i - MIXED_POSITIONS));
            return (int) (bits & (BITS_PER_BLOCK - 1));
        }

        /** The block from the hash's high half, spread over all blocks without a division. */
        private int firstWord(long hash) {
            return (int) (((hash >>> 32) * blocks) >>> 32) * WORDS_PER_BLOCK;
        }

        /**
         * Seven of the 9-bit positions inside the block, from the hash mixed once more (murmur3's finalizer), so
         * that they do not depend on which block the high half picked.
         */
        private static long bitsInBlock(long hash) {
            long mixed = (hash ^ (hash >>> 33)) * 0xff51afd7ed558ccdL;
            mixed = (mixed ^ (mixed >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return mixed ^ (mixed >>> 33);
        }
    }

    private final long windowMs;
    private final long maxEntries;
    private final int firstGenerationEntries;
    private final ArrayDeque<Generation> generations = new ArrayDeque<>();
    private long entries;
    /** Until then every answer is "maybe": something the filter does not hold may still be a duplicate. */
    private long uncertainUntil = Long.MIN_VALUE;

    /**
     * @param windowMs the dedup window of the key's destination: entries older than that never count
     * @param maxEntries the most entries the key keeps (2.5 bytes each)
     */
    SeenMessageIdFilter(long windowMs, long maxEntries) {
        this(windowMs, maxEntries, FIRST_GENERATION_ENTRIES);
    }

    /** As above, its first generation sized for {@code firstGenerationEntries} (then growing as usual). */
    SeenMessageIdFilter(long windowMs, long maxEntries, int firstGenerationEntries) {
        this.windowMs = windowMs;
        this.maxEntries = maxEntries;
        this.firstGenerationEntries = firstGenerationEntries;
    }

    /** False only if {@code messageId} was not recorded within the window before {@code now}. */
    boolean mayHaveSeen(String messageId, long now) {
        return mayHaveSeen(hash(messageId), now);
    }

    /** As above, for the {@link #hash} of a messageId (to be hashed once when it is then {@link #add}ed). */
    boolean mayHaveSeen(long hash, long now) {
        if (now < uncertainUntil) {
            return true;
        }
        // Each generation's block is a cache miss for nearly every lookup. Branching on each answer before reading
        // the next block made the misses wait for one another (the answers are unpredictable); reading them all
        // first lets the processor fetch them at once.
        long mixed = Generation.bitsInBlock(hash);
        boolean maybe = false;
        for (Generation generation : generations) {
            maybe |= generation.missingBits(hash, mixed) == 0;
        }
        return maybe;
    }

    /**
     * Reads, in every generation, the block of each of the first {@code count} {@code hashes}, so that lookups of
     * them right after find the blocks in the processor's caches. The reads do not wait for one another, so the
     * processor has many misses in flight at once, where one lookup at a time waits out each miss (about 200 ns on
     * the benchmark machine). Returns a value made of what it read, so that the reads are not left out.
     */
    long prefetch(long[] hashes, int count) {
        long read = 0;
        for (Generation generation : generations) {
            long[] words = generation.words;
            for (int i = 0; i < count; i++) {
                int first = generation.firstWord(hashes[i]);
                // both ends of the block: Java does not align arrays, so a block mostly spans two cache lines
                read += words[first] ^ words[first + WORDS_PER_BLOCK - 1];
            }
        }
        return read;
    }

    /** Records {@code messageId}, seen at {@code seenAt}. */
    void add(String messageId, long seenAt, long now) {
        add(hash(messageId), seenAt, now);
    }

    /** Records the messageId of this {@link #hash}, seen at {@code seenAt}. */
    void add(long hash, long seenAt, long now) {
        Generation current = generations.peekLast();
        if (current == null || current.entries >= current.capacity) {
            current = startGeneration(current, now);
        }
        current.put(hash);
        current.entries++;
        current.newestSeenAt = Math.max(current.newestSeenAt, seenAt);
        entries++;
    }

    /** Answers "maybe" to everything until {@code until}: the caller could not record everything it should have. */
    void uncertainUntil(long until) {
        uncertainUntil = Math.max(uncertainUntil, until);
    }

    long entries() {
        return entries;
    }

    int generations() {
        return generations.size();
    }

    /**
     * Whether this filter has started a generation of the largest size while still holding the smaller ones it grew
     * through: a filter built again with its first generation that large holds the same entries in one generation
     * (see {@link DestinationBatcher}), so every lookup reads one block where it read three.
     */
    boolean outgrewItsSmallGenerations() {
        return generations.size() > 1 && generations.peekLast().capacity == LARGEST_GENERATION_ENTRIES
                && generations.peekFirst().capacity < LARGEST_GENERATION_ENTRIES;
    }

    private Generation startGeneration(Generation previous, long now) {
        while (!generations.isEmpty() && generations.peekFirst().newestSeenAt <= now - windowMs) {
            entries -= generations.removeFirst().entries;
        }
        long capacity = previous == null
                ? firstGenerationEntries
                : Math.min(LARGEST_GENERATION_ENTRIES, (long) GENERATION_GROWTH * previous.capacity);
        long room = maxEntries - entries;
        if (capacity > room && room >= FIRST_GENERATION_ENTRIES) {
            // growing eight times at once, a key would reach its cap with room to spare: use that room first
            capacity = room;
        }
        while (!generations.isEmpty() && entries + capacity > maxEntries) {
            Generation dropped = generations.removeFirst();
            entries -= dropped.entries;
            uncertainUntil(dropped.newestSeenAt + windowMs);
        }
        Generation next = new Generation((int) Math.max(1, Math.min(capacity, maxEntries)));
        generations.addLast(next);
        return next;
    }

    /** What the filters hold of a messageId. */
    static long hash(String messageId) {
        return MESSAGE_ID_HASH.hashString(messageId, StandardCharsets.UTF_8).asLong();
    }
}
