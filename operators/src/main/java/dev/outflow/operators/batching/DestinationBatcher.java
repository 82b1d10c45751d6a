package dev.outflow.operators.batching;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.delivery.DestinationLane;
import dev.outflow.operators.metrics.DestinationMetrics;
import dev.outflow.operators.routing.FilterReason;
import dev.outflow.schemas.catalog.BatchingConfig;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Forms delivery batches per destination shard (the key, see {@link RoutedEvent#routeKey()}) from two inputs: newly
 * routed events, and events coming back from the retry topic to be tried again. Routed events come as bundles of an
 * event's pairs for this subtask ({@link RoutedBundle}), each pair processed under its own key.
 *
 * <ul>
 *   <li>A batch goes out when it reaches the destination's max events or max bytes, or when its first event has
 *       waited max wait (a processing-time timer). A destination with {@code maxEvents: 1} sends each event alone.
 *   <li>The open batch is filled on the heap and written to keyed state ({@link #BUFFER}, {@link #DEADLINE}) only
 *       right before a checkpoint barrier ({@link DestinationBatchOperator} calls {@link #spill}): a checkpoint
 *       holds every open batch, while adding an event costs no state access. After a restore, a key's batch is read
 *       back from the state the first time the key is seen.
 *   <li>Events coming back wait in {@link #PARKED} until they are due (each batch in a slot of its own, with a
 *       timer), then join the open batch with new traffic (stream mode: a batch differs from one attempt to the
 *       next), or go out again as the very same batch (bulk mode). Parking here rather than in the delivery operator
 *       keeps Async I/O capacity for requests that can go out now, and keyed RocksDB state survives restarts and
 *       rescaling.
 *   <li>A batch handed back because its destination is held (a Retry-After, an open circuit, a full backlog: see
 *       {@link ParkedBatch#destinationHeld()}) tells this key when the destination takes work again; until then the
 *       key's new batches are parked here too, instead of each going to the delivery operator and coming back
 *       through the retry topic (a black-holed destination would otherwise cost more CPU than a healthy one), and
 *       what is parked stays put. When the hold ends, one batch goes out as the probe; the rest follow when the
 *       destination answers (a {@link ParkedBatch#resume} comes back), or after the probe's request timeout with
 *       no news; a probe the destination fails brings a new hold. The hold lives on the heap: after a restore the
 *       key learns it again from the next batch handed back.
 *   <li>A messageId already seen for the destination within its dedup window is not sent again: it is reported
 *       as filtered ({@code duplicate_message_id}). A batched event is checked when its batch goes out or is written
 *       to state, together with the batch's other new events, in the order they came ({@link #dropDuplicates}); a
 *       single event as it comes. Events coming back for a retry are not checked: they are the same event. A
 *       per-key bloom filter on the heap ({@link SeenMessageIdFilter}) answers for a messageId the key has never
 *       seen, so only possible duplicates read the state. MessageIds seen since the last checkpoint
 *       are remembered on the heap ({@link UnwrittenFingerprints}) and written to {@link #SEEN_NAME} per key before
 *       the barrier (or sooner when many pile up), a chunk per bucket: what happened after a checkpoint is replayed
 *       from Kafka after a restore anyway. The state holds a fingerprint of each messageId, not the messageId: see
 *       {@link #SEEN_NAME}.
 * </ul>
 */
public final class DestinationBatcher extends KeyedCoProcessFunction<String, RoutedBundle, ParkedBatch, DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    /** Events of the open batch as of the last checkpoint. Cleared when the batch goes out ({@link #flush}). */
    public static final ListStateDescriptor<RoutedEvent> BUFFER =
            new ListStateDescriptor<>("batch-buffer", RoutedEvent.class);

    /**
     * When the open batch goes out regardless (its timer), as of the last checkpoint; set exactly when
     * {@link #BUFFER} is. Cleared when the batch goes out ({@link #flush}).
     */
    public static final ValueStateDescriptor<Long> DEADLINE = new ValueStateDescriptor<>("batch-deadline", Types.LONG);

    /**
     * Events waiting for a retry, by slot: the first millisecond from their due time that no other batch of the key
     * holds. An entry is removed when it goes out (its timer, or the end of its destination's hold).
     */
    public static final MapStateDescriptor<Long, ParkedBatch> PARKED =
            new MapStateDescriptor<>("parked-retries", Types.LONG, Types.POJO(ParkedBatch.class));

    /**
     * Name of the dedup state: what a key has seen, as chunks of entries in {@link #SEEN_BUCKETS} lists (a list per
     * bucket, the state's namespace, from the fingerprint's top bits: {@link #bucketOf}). An entry is a messageId's
     * 64-bit farmhash ({@link SeenMessageIdFilter#hash}), when it was first seen and part of its
     * {@link String#hashCode}, 16 bytes: a new event is taken for a duplicate only if both hashes agree (see
     * {@link SeenChunks} for the layout, and the one of chunks written before it). Each write of a key's
     * unwritten entries appends one chunk to each bucket it touches (a RocksDB merge, no read); a lookup reads one
     * bucket. A RocksDB entry per messageId and destination, as before, took 14 µs per event of the batcher's and
     * RocksDB's CPU in the throughput benchmark, where dedup off took 21 µs per event in all. Chunks expire by TTL
     * (the longest dedup window, from their write; each entry's own time decides whether it still counts).
     */
    public static final String SEEN_NAME = "seen-message-buckets";

    /**
     * The dedup state as checkpoints taken before buckets hold it (commits f036874..ca1119a): a map of fingerprints
     * to {@code {seenAt, String hash}}. Each key moves its entries to {@link #SEEN_NAME} the first time an instance
     * sees the key, and this state is then cleared; after that it stays empty.
     */
    public static final String FINGERPRINT_SEEN_NAME = "seen-message-fingerprints";

    /**
     * The dedup state as checkpoints taken before fingerprints hold it: messageId to when it was first seen. Moved
     * and cleared as {@link #FINGERPRINT_SEEN_NAME}.
     */
    public static final String LEGACY_SEEN_NAME = "seen-message-ids";

    /**
     * Buckets of {@link #SEEN_NAME} per key: a key holding 2 million messageIds reads about 120 per lookup. At 4,096
     * the throughput benchmark measured no faster (52,886-54,245 events/s at 29.2-30.1 µs against 55,153-59,026 at
     * 27.7-27.8), and a key past what its filter holds, which reads a bucket for every lookup, read four times as
     * much.
     */
    static final int SEEN_BUCKET_BITS = 14;
    static final int SEEN_BUCKETS = 1 << SEEN_BUCKET_BITS;
    /** Where a {@link #FINGERPRINT_SEEN_NAME} value keeps when its messageId was first seen, and its String hash. */
    private static final int FINGERPRINT_SEEN_AT = 0;
    private static final int FINGERPRINT_CHECK = 1;

    /**
     * MessageIds a key keeps on the heap before a checkpoint (20 bytes each, 8 MB); past this they are written at
     * once. The larger a write, the more entries each bucket's chunk holds: fewer RocksDB writes, and fewer chunks
     * for a lookup to read. (With an entry per messageId, 100,000 instead of 20,000 took the batcher from 9.8-10.3 to
     * 9.5 µs per event in the throughput benchmark; with buckets, 400,000 instead of 100,000 took it from 6.1 to
     * 5.7 µs per event.)
     */
    static final int MAX_UNWRITTEN_SEEN_PER_KEY = 400_000;

    /**
     * MessageIds all keys of an instance keep on the heap at most (20 bytes each, 40 MB): past this, the key at hand
     * writes its own at once, whatever its count.
     */
    static final int MAX_UNWRITTEN_SEEN = 2_000_000;

    /**
     * MessageIds a key's {@link SeenMessageIdFilter} holds at most (2.5 bytes each): 8 million, 20 MB, the
     * dedup window of a shard taking about 100 events per second for a day.
     */
    static final long MAX_FILTERED_SEEN_PER_KEY = 8_000_000;

    private final DestinationCatalog catalog;
    private final long maxFilteredSeen;
    private final int maxUnwrittenSeen;
    private final int maxUnwrittenSeenPerKey;

    private transient ListState<RoutedEvent> buffer;
    private transient ValueState<Long> deadline;
    /** The open batch of each key that has one. */
    private transient Map<String, OpenBatch> openBatches;
    /**
     * Per key, the time of the timer this instance registered for an open batch's deadline and has not seen fire.
     * A batch sent early (full) leaves its timer; the key's next batch, due later, counts on it instead of
     * registering its own, and the timer, when it fires before that batch is due, registers the batch's deadline.
     * So a key keeps one timer per max wait instead of registering and deleting one per batch (RocksDB writes, 7%
     * of the batcher's CPU in the throughput benchmark). Empty after a restore: the checkpoint holds the timers.
     */
    private transient Map<String, Long> deadlineTimers;
    /** Keys whose batch state this instance has read (after a restore) or written: the heap then says it all. */
    private transient Set<String> knownKeys;
    private transient MapState<Long, ParkedBatch> parked;
    /** The current key's {@link #SEEN_NAME} list of a bucket; set by {@link DestinationBatchOperator}. */
    private transient SeenBuckets seenBuckets;
    private transient KeySwitch keySwitch;
    /**
     * Whether this instance started from a checkpoint: without one, no key has dedup state but what this instance
     * writes (and its filters hold already), so a key's filter starts empty instead of reading every bucket.
     */
    private transient boolean stateRestored;
    /** {@link #SEEN_NAME}, or null when no destination dedups. */
    private transient ListStateDescriptor<long[]> seenDescriptor;
    private transient MapState<Long, long[]> fingerprintSeen;
    private transient MapState<String, Long> legacySeen;
    /** Entries of {@link #SEEN_NAME} not written yet, by key: what was seen since the last write. */
    private transient Map<String, UnwrittenFingerprints> unwrittenSeen;
    /** How many entries {@link #unwrittenSeen} holds over all keys. */
    private transient int unwrittenSeenCount;
    /** What each key has recorded in {@link #SEEN_NAME}, so that a messageId never seen skips the state read. */
    private transient Map<String, SeenMessageIdFilter> seenFilters;
    /** Keys whose destination is held (a Retry-After, an open circuit, a full backlog), and how far the hold got. */
    private transient Map<String, Hold> holds;
    /**
     * Each key's parked slots (the {@link #PARKED} map keys) with the first end of a retry window among the
     * slot's events: the heap knows what is parked and when it must go out without reading a batch. Built from the
     * state the first time an instance touches a key's parked retries.
     */
    private transient Map<String, TreeMap<Long, Long>> parkedSlots;
    private transient DestinationMetrics metrics;
    private transient AtomicLong parkedEvents;
    /** What {@link SeenMessageIdFilter#prefetch} read, kept so that its reads are not left out. */
    private transient long prefetched;

    public DestinationBatcher(DestinationCatalog catalog) {
        this(catalog, MAX_FILTERED_SEEN_PER_KEY);
    }

    /** As above, with at most {@code maxFilteredSeen} messageIds in each key's {@link SeenMessageIdFilter}. */
    DestinationBatcher(DestinationCatalog catalog, long maxFilteredSeen) {
        this(catalog, maxFilteredSeen, MAX_UNWRITTEN_SEEN);
    }

    /** As above, with at most {@code maxUnwrittenSeen} unwritten dedup entries over all keys. */
    DestinationBatcher(DestinationCatalog catalog, long maxFilteredSeen, int maxUnwrittenSeen) {
        this(catalog, maxFilteredSeen, maxUnwrittenSeen, MAX_UNWRITTEN_SEEN_PER_KEY);
    }

    /** As above, with at most {@code maxUnwrittenSeenPerKey} unwritten dedup entries in each key. */
    DestinationBatcher(DestinationCatalog catalog, long maxFilteredSeen, int maxUnwrittenSeen,
            int maxUnwrittenSeenPerKey) {
        this.catalog = catalog;
        this.maxFilteredSeen = maxFilteredSeen;
        this.maxUnwrittenSeen = maxUnwrittenSeen;
        this.maxUnwrittenSeenPerKey = maxUnwrittenSeenPerKey;
    }

    /**
     * The dedup state, expiring after the longest dedup window of the catalog (each destination then checks its
     * own window against the stored time). Expired entries are dropped on access and in RocksDB compactions.
     */
    public static ListStateDescriptor<long[]> seenDescriptor(long ttlMs) {
        return expiring(new ListStateDescriptor<>(SEEN_NAME, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO),
                ttlMs);
    }

    /** {@link #FINGERPRINT_SEEN_NAME}, as {@link #seenDescriptor} for the current one. */
    public static MapStateDescriptor<Long, long[]> fingerprintSeenDescriptor(long ttlMs) {
        return expiring(new MapStateDescriptor<>(FINGERPRINT_SEEN_NAME, Types.LONG,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO), ttlMs);
    }

    /** {@link #LEGACY_SEEN_NAME}, as {@link #seenDescriptor} for the current one. */
    public static MapStateDescriptor<String, Long> legacySeenDescriptor(long ttlMs) {
        return expiring(new MapStateDescriptor<>(LEGACY_SEEN_NAME, Types.STRING, Types.LONG), ttlMs);
    }

    private static <D extends StateDescriptor<?, ?>> D expiring(D descriptor, long ttlMs) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(1, ttlMs)))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    /** The bucket of {@link #SEEN_NAME} that holds a fingerprint: its top {@link #SEEN_BUCKET_BITS} bits. */
    static int bucketOf(long fingerprint) {
        return (int) (fingerprint >>> (Long.SIZE - SEEN_BUCKET_BITS));
    }

    /**
     * The current key's {@link #SEEN_NAME} list of one bucket. Only an operator reaches a state's namespaces, so
     * {@link DestinationBatchOperator} hands this in before {@link #open}.
     */
    @FunctionalInterface
    interface SeenBuckets {
        ListState<long[]> of(int bucket, ListStateDescriptor<long[]> descriptor) throws Exception;
    }

    void seenBuckets(SeenBuckets buckets) {
        this.seenBuckets = buckets;
    }

    /** Makes another key current (its keyed state, its timers, {@code ctx.getCurrentKey()}): the operator's. */
    interface KeySwitch {
        void switchTo(String key) throws Exception;
    }

    void keySwitch(KeySwitch keys) {
        this.keySwitch = keys;
    }

    void stateRestored(boolean restored) {
        this.stateRestored = restored;
    }

    @Override
    public void open(OpenContext openContext) {
        buffer = getRuntimeContext().getListState(BUFFER);
        deadline = getRuntimeContext().getState(DEADLINE);
        openBatches = new HashMap<>();
        deadlineTimers = new HashMap<>();
        knownKeys = new HashSet<>();
        parked = getRuntimeContext().getMapState(PARKED);
        long longestDedupWindow = catalog.destinations().stream()
                .mapToLong(destination -> destination.delivery().dedupWindowMs()).max().orElse(0);
        if (longestDedupWindow > 0 && seenBuckets == null) {
            throw new IllegalStateException("the batcher runs in a DestinationBatchOperator, which opens its dedup "
                    + "state");
        }
        seenDescriptor = longestDedupWindow > 0 ? seenDescriptor(longestDedupWindow) : null;
        fingerprintSeen = longestDedupWindow > 0
                ? getRuntimeContext().getMapState(fingerprintSeenDescriptor(longestDedupWindow)) : null;
        legacySeen = longestDedupWindow > 0
                ? getRuntimeContext().getMapState(legacySeenDescriptor(longestDedupWindow)) : null;
        unwrittenSeen = new HashMap<>();
        seenFilters = new HashMap<>();
        holds = new HashMap<>();
        parkedSlots = new HashMap<>();
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
        parkedEvents = new AtomicLong();
        catalog.destinations().forEach(destination -> metrics.of(destination.id()).parkedEvents(parkedEvents::get));
    }

    /** Each pair of the bundle under its own key; the bundle comes in under its first pair's. */
    @Override
    public void processElement1(RoutedBundle bundle, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        RoutedEvent[] events = bundle.events();
        addRouted(events[0], ctx, out);
        for (int i = 1; i < events.length; i++) {
            if (keySwitch == null) {
                throw new IllegalStateException("a bundle of several destinations needs a DestinationBatchOperator, "
                        + "which switches keys");
            }
            keySwitch.switchTo(events[i].routeKey());
            addRouted(events[i], ctx, out);
        }
    }

    private void addRouted(RoutedEvent event, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        DestinationConfig destination = catalog.get(event.destinationId());
        long window = destination.delivery().dedupWindowMs();
        if (window > 0 && seenDescriptor != null) {
            // a single event is checked at once, a batched one with the rest of its batch (dropDuplicates)
            add(event, SeenMessageIdFilter.hash(event.messageId()), event.messageId().hashCode(),
                    destination.batching(), ctx, out);
        } else {
            add(event, destination.batching(), ctx, out);
        }
    }

    /**
     * Whether the current key has seen {@code event}'s messageId (of this {@code hash} and {@code check}) within
     * {@code window}: a duplicate, reported to {@code filtered}. Else the messageId is recorded as seen
     * {@code now}.
     */
    private boolean duplicateElseRecorded(String key, RoutedEvent event, long hash, int check, long now, long window,
            Consumer<DeliveryLogRecord> filtered) throws Exception {
        UnwrittenFingerprints unwritten = unwrittenSeen.computeIfAbsent(key, unused -> new UnwrittenFingerprints());
        SeenMessageIdFilter filter = seenFilter(key, unwritten, window, now);
        int unwrittenIndex = -1;
        if (filter.mayHaveSeen(hash, now)) {
            unwrittenIndex = unwritten.indexOf(hash);
            boolean duplicate = unwrittenIndex >= 0 && unwritten.check(unwrittenIndex) == check
                    && now - unwritten.seenAt(unwrittenIndex) < window;
            if (duplicate || seenInState(hash, check, now - window)) {
                metrics.of(event.destinationId()).duplicatesDropped().inc();
                filtered.accept(DeliveryLogRecord.filtered(event.messageId(), event.destinationId(),
                        FilterReason.DUPLICATE_MESSAGE_ID.code(), now, event.origin()));
                return true;
            }
        }
        if (unwrittenIndex >= 0) {
            // the same farmhash as an unwritten entry, but another messageId or out of the window: the later
            // one takes the entry (so at worst a repeat of the earlier one is sent again, never one dropped)
            unwritten.replace(unwrittenIndex, now, check);
        } else {
            unwritten.add(hash, now, check);
            unwrittenSeenCount++;
        }
        filter.add(hash, now, now);
        if (unwritten.size() >= maxUnwrittenSeenPerKey || unwrittenSeenCount >= maxUnwrittenSeen) {
            writeSeen(key);
        }
        return false;
    }

    /**
     * Checks the open batch's unchecked events for duplicates all at once, in the order they came, and takes the
     * duplicates out (reported to {@code filtered}). Their filter blocks are read first, all together: a lookup
     * is a cache miss in a busy key's filter, and one per event as it came cost a fifth of the batcher's CPU in the
     * throughput benchmark.
     */
    private void dropDuplicates(String key, OpenBatch open, long now, Consumer<DeliveryLogRecord> filtered)
            throws Exception {
        int count = open.uncheckedCount();
        if (count == 0) {
            return;
        }
        String destinationId = open.unchecked(0).destinationId();
        long window = catalog.get(destinationId).delivery().dedupWindowMs();
        SeenMessageIdFilter filter = seenFilter(key,
                unwrittenSeen.computeIfAbsent(key, unused -> new UnwrittenFingerprints()), window, now);
        prefetched += filter.prefetch(open.uncheckedHashes(), count);
        boolean[] duplicates = null;
        for (int i = 0; i < count; i++) {
            if (duplicateElseRecorded(key, open.unchecked(i), open.uncheckedHash(i), open.uncheckedCheck(i), now,
                    window, filtered)) {
                if (duplicates == null) {
                    duplicates = new boolean[count];
                }
                duplicates[i] = true;
            }
        }
        open.checked(duplicates);
    }

    @Override
    public void processElement2(ParkedBatch batch, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (catalog.find(batch.destinationId()).isEmpty()) {
            // removed from the catalog while these waited: say so rather than drop them
            for (RoutedEvent event : batch.events()) {
                ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.undeliverable(event,
                        "permanent: destination '" + batch.destinationId() + "' is no longer in the catalog", false,
                        event.history(), now));
            }
            return;
        }
        if (batch.resumes()) {
            // what waited for the hold (new traffic parked until its end) goes now, with whatever else is due
            Hold hold = holds.remove(ctx.getCurrentKey());
            releaseParked(ctx.getCurrentKey(), now, hold == null ? now : Math.max(now, hold.until), ctx, out);
            return;
        }
        if (batch.dueAt() <= now) {
            release(batch, ctx, out);
            return;
        }
        if (batch.destinationHeld()) {
            // A batch held back by an open circuit can be due long after the circuit's next probe (it backs off by
            // how long its events have waited): new traffic waits no longer than the circuit can stay open. (A longer
            // Retry-After is learned again from the next batch the lane holds back; the lane never sends early.)
            long holdEnd = Math.min(batch.dueAt(),
                    now + DestinationLane.longestCircuitHoldMs(catalog.get(batch.destinationId())));
            Hold hold = holds.get(ctx.getCurrentKey());
            if (hold == null || hold.probeSent) {
                // first news of the hold, or the probe's answer: the destination is still held
                holds.put(ctx.getCurrentKey(), new Hold(batch.destinationId(), holdEnd));
            } else {
                hold.until = Math.max(hold.until, holdEnd);
            }
        }
        park(ctx.getCurrentKey(), batch, ctx.timerService());
    }

    /**
     * Keeps {@code batch} until its due time, in a slot of its own: the first free millisecond from then on. A batch
     * is written once when parked and read once when it goes out, however long it waits: merging batches due
     * together rewrote the whole slot for every batch added to it (a held destination parks every new batch at the
     * hold's end, so that grew with the square of what was parked).
     */
    private void park(String key, ParkedBatch batch, TimerService timers) throws Exception {
        TreeMap<Long, Long> slots = parkedSlots(key);
        long slot = batch.dueAt();
        while (slots.containsKey(slot)) {
            slot++;
        }
        parked.put(slot, new ParkedBatch(batch.destinationId(), batch.shard(), batch.events(), slot,
                batch.keepTogether()));
        slots.put(slot, firstWindowEnd(batch));
        timers.registerProcessingTimeTimer(slot);
        parkedEvents.addAndGet(batch.size());
    }

    /** Takes the batch parked in {@code slot} out of the state. */
    private ParkedBatch unpark(String key, long slot) throws Exception {
        parkedSlots(key).remove(slot);
        ParkedBatch batch = parked.get(slot);
        if (batch == null) {
            return null;
        }
        parked.remove(slot);
        parkedEvents.addAndGet(-batch.size());
        return batch;
    }

    /** The current key's parked slots; read from the state the first time this instance touches them. */
    private TreeMap<Long, Long> parkedSlots(String key) throws Exception {
        TreeMap<Long, Long> slots = parkedSlots.get(key);
        if (slots != null) {
            return slots;
        }
        slots = new TreeMap<>();
        for (Map.Entry<Long, ParkedBatch> entry : parked.entries()) {
            slots.put(entry.getKey(), firstWindowEnd(entry.getValue()));
            parkedEvents.addAndGet(entry.getValue().size());
        }
        parkedSlots.put(key, slots);
        return slots;
    }

    /**
     * When the first of the batch's events reaches the end of its retry window (a window of 0 once its destination
     * is no longer in the catalog).
     */
    private long firstWindowEnd(ParkedBatch batch) {
        return firstWindowEnd(batch.destinationId(), batch.events());
    }

    private long firstWindowEnd(String destinationId, RoutedEvent[] events) {
        long window = catalog.find(destinationId)
                .map(destination -> destination.delivery().retry().windowMs()).orElse(0L);
        long first = Long.MAX_VALUE;
        for (RoutedEvent event : events) {
            first = Math.min(first, event.retryWindowEnd(window));
        }
        return first;
    }

    /**
     * Sends {@code batch} on, or parks it while the key's destination is held: until the hold ends, but no later
     * than the first end of its events' retry windows, so that an event the destination cannot take within its
     * window is dead-lettered then (by the outcome operator, when the lane holds it back once more).
     */
    private void emit(String key, DeliveryBatch batch, TimerService timers, Collector<DeliveryBatch> out)
            throws Exception {
        Hold hold = holds.get(key);
        long now = timers.currentProcessingTime();
        if (hold != null && hold.until > now) {
            long due = Math.min(hold.until, firstWindowEnd(batch.destinationId(), batch.events()));
            if (due > now) {
                park(key, new ParkedBatch(batch.destinationId(), batch.shard(), batch.events(), due,
                        catalog.get(batch.destinationId()).batching().isBulk()), timers);
                return;
            }
        }
        out.collect(batch);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DeliveryBatch> out) throws Exception {
        String key = ctx.getCurrentKey();
        releaseParked(key, timestamp, timestamp, ctx, out);
        Long deadlineTimer = deadlineTimers.get(key);
        if (deadlineTimer != null && deadlineTimer <= timestamp) {
            deadlineTimers.remove(key);
        }
        OpenBatch open = openBatch(key);
        if (open == null) {
            return;
        }
        if (open.deadline <= timestamp) {
            flush(key, open, ctx, out);
        } else {
            // the timer of a batch sent early: this one is due later
            armDeadlineTimer(key, open.deadline, ctx.timerService());
        }
    }

    /** Makes sure a timer fires for {@code key} by {@code deadline}: see {@link #deadlineTimers}. */
    private void armDeadlineTimer(String key, long deadline, TimerService timers) {
        Long armed = deadlineTimers.get(key);
        if (armed == null || armed > deadline) {
            timers.registerProcessingTimeTimer(deadline);
            deadlineTimers.put(key, deadline);
        }
    }

    /**
     * What is parked for the key and due by {@code dueBy} ({@code now}, or the end of a hold that ended early).
     * While the key's destination is held, only batches whose retry window has ended go out (the outcome operator
     * dead-letters what the lane holds back); the rest stay where they are, untouched, until the hold ends. Then
     * one batch goes out as the probe, and the rest wait {@link #probeAnswerMs} for its answer: a probe the
     * destination refuses or fails comes back as a new hold (the rest then stay parked), an answer brings a
     * {@link ParkedBatch#resume}, and without news everything due goes out. So a long outage moves one batch per
     * hold through the delivery operator and the retry topic, not everything parked.
     */
    private void releaseParked(String key, long now, long dueBy, Context ctx, Collector<DeliveryBatch> out)
            throws Exception {
        TreeMap<Long, Long> slots = parkedSlots(key);
        if (slots.isEmpty() || slots.firstKey() > dueBy) {
            return;
        }
        Hold hold = holds.get(key);
        List<Long> due = new ArrayList<>(slots.headMap(dueBy, true).keySet());
        if (hold != null && hold.until > now) {
            for (Long slot : due) {
                if (slots.get(slot) <= now) {
                    sendNow(unpark(key, slot), now, out);
                }
            }
            if (!slots.headMap(now, true).isEmpty()) {
                ctx.timerService().registerProcessingTimeTimer(hold.until);
            }
            return;
        }
        if (hold != null && !hold.probeSent) {
            sendNow(unpark(key, due.get(0)), now, out);
            hold.probeSent = true;
            hold.until = now + probeAnswerMs(catalog.get(hold.destinationId));
            if (due.size() > 1) {
                ctx.timerService().registerProcessingTimeTimer(hold.until);
            }
            return;
        }
        holds.remove(key);
        for (Long slot : due) {
            ParkedBatch batch = unpark(key, slot);
            if (batch != null) {
                release(batch, ctx, out);
            }
        }
    }

    /** A parked batch straight to the delivery operator, as it was parked. */
    private static void sendNow(ParkedBatch batch, long now, Collector<DeliveryBatch> out) {
        if (batch != null) {
            out.collect(asDeliveryBatch(batch, now));
        }
    }

    /** The parked batch's events as one delivery batch, created {@code now}. */
    private static DeliveryBatch asDeliveryBatch(ParkedBatch batch, long now) {
        long bytes = 0;
        for (RoutedEvent event : batch.events()) {
            bytes += event.payload().length;
        }
        return new DeliveryBatch(batch.destinationId(), batch.shard(), batch.events(), bytes, now);
    }

    /**
     * How long the rest of a held key's parked batches wait for the answer to a probe: the probe's request timeout,
     * and as long again for the answer's way back through the retry topic.
     */
    static long probeAnswerMs(DestinationConfig destination) {
        return 2 * destination.delivery().timeoutMs();
    }

    /** Due events: the same batch again (bulk), or into the open batch like new traffic (stream). */
    private void release(ParkedBatch batch, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        if (batch.keepTogether()) {
            emit(ctx.getCurrentKey(), asDeliveryBatch(batch, ctx.timerService().currentProcessingTime()),
                    ctx.timerService(), out);
            return;
        }
        BatchingConfig limits = catalog.get(batch.destinationId()).batching();
        for (RoutedEvent event : batch.events()) {
            add(event, limits, ctx, out);
        }
    }

    /** Adds an event that needs no dedup check (checked already, or a retry). */
    private void add(RoutedEvent event, BatchingConfig limits, Context ctx, Collector<DeliveryBatch> out)
            throws Exception {
        add(event, 0, 0, false, limits, ctx, out);
    }

    /**
     * Adds a new event, to be checked for duplicates (messageId of this {@code hash} and {@code check}): at once if
     * it goes out alone, else when its batch goes out.
     */
    private void add(RoutedEvent event, long hash, int check, BatchingConfig limits, Context ctx,
            Collector<DeliveryBatch> out) throws Exception {
        add(event, hash, check, true, limits, ctx, out);
    }

    private void add(RoutedEvent event, long hash, int check, boolean unchecked, BatchingConfig limits, Context ctx,
            Collector<DeliveryBatch> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        String key = ctx.getCurrentKey();
        OpenBatch open = openBatch(key);
        long size = event.payload().length;
        if (open == null && (limits.isSingle() || size >= limits.maxBytes())) {
            if (unchecked && duplicateElseRecorded(key, event, hash, check, now,
                    catalog.get(event.destinationId()).delivery().dedupWindowMs(),
                    filtered -> ctx.output(OutputTags.FILTERED, filtered))) {
                return;
            }
            emit(key, new DeliveryBatch(event.destinationId(), event.shard(), new RoutedEvent[] {event}, size, now),
                    ctx.timerService(), out);
            return;
        }
        if (open != null && open.bytes + size > limits.maxBytes()) {
            // Adding it would overflow the byte limit: send what is there and start afresh with this event.
            flush(key, open, ctx, out);
            open = null;
        }
        if (open == null) {
            open = new OpenBatch(now + limits.maxWaitMs(), limits.maxEvents());
            armDeadlineTimer(key, open.deadline, ctx.timerService());
            openBatches.put(key, open);
        }
        if (unchecked) {
            open.addUnchecked(event, hash, check);
        } else {
            open.add(event);
        }
        if (open.count() >= limits.maxEvents() || open.bytes >= limits.maxBytes()) {
            flush(key, open, ctx, out);
        }
    }

    /**
     * The current key's filter of seen messageIds: built from the key's dedup state the first time this instance
     * sees the key (what a restore or a rescale brought; on a fresh start there is nothing to read, and reading
     * all {@link #SEEN_BUCKETS} buckets of a key took about 35 ms on RocksDB). A state larger than the filter holds is
     * not read to its end: the filter then sends every lookup to the state for a whole window. A filter that has
     * outgrown its small generations is {@link #rebuiltSeenFilter built again} first.
     */
    private SeenMessageIdFilter seenFilter(String key, UnwrittenFingerprints unwritten, long windowMs, long now)
            throws Exception {
        SeenMessageIdFilter filter = seenFilters.get(key);
        if (filter == null) {
            filter = new SeenMessageIdFilter(windowMs, maxFilteredSeen);
            if (stateRestored) {
                moveOlderSeen(windowMs, now);
                readSeen(filter, windowMs, now);
            }
            seenFilters.put(key, filter);
        }
        return filter.outgrewItsSmallGenerations() ? rebuiltSeenFilter(key, unwritten, windowMs, now) : filter;
    }

    /**
     * The current key's filter built again with its first generation of the largest size, from the key's dedup
     * state and its unwritten entries: a busy key's filter grows through smaller generations, and each generation
     * costs every lookup a cache miss (the largest part of the batcher's CPU in the throughput benchmark). Once per
     * filter, when it starts its first generation of that size (past 576,000 messageIds, or on a restore that reads
     * back as many); reading the state then took 1.3 s on RocksDB in the harness for a key of 576,000 (64 ms on the
     * heap), during which the task processes nothing else.
     */
    private SeenMessageIdFilter rebuiltSeenFilter(String key, UnwrittenFingerprints unwritten, long windowMs,
            long now) throws Exception {
        SeenMessageIdFilter rebuilt = new SeenMessageIdFilter(windowMs, maxFilteredSeen,
                SeenMessageIdFilter.LARGEST_GENERATION_ENTRIES);
        readSeen(rebuilt, windowMs, now);
        for (int i = 0; i < unwritten.size(); i++) {
            if (now - unwritten.seenAt(i) < windowMs) {
                rebuilt.add(unwritten.fingerprint(i), unwritten.seenAt(i), now);
            }
        }
        seenFilters.put(key, rebuilt);
        return rebuilt;
    }

    /** The filter this instance keeps for {@code key}, null before the key's first event; for tests. */
    SeenMessageIdFilter seenFilterOf(String key) {
        return seenFilters.get(key);
    }

    /**
     * Adds the current key's dedup entries still inside {@code windowMs} to {@code filter}, up to its capacity; stops
     * early when the filter {@link SeenMessageIdFilter#outgrewItsSmallGenerations() outgrows its small generations}
     * ({@link #seenFilter} builds it again then, and reading on would be wasted).
     */
    private void readSeen(SeenMessageIdFilter filter, long windowMs, long now) throws Exception {
        for (int bucket = 0; bucket < SEEN_BUCKETS; bucket++) {
            if (filter.outgrewItsSmallGenerations()) {
                // left unfinished: the caller builds it again, from the start, in one large generation
                return;
            }
            for (long[] chunk : chunksOf(bucket)) {
                boolean packed = SeenChunks.isPacked(chunk);
                for (int at = SeenChunks.first(packed); at < chunk.length; at += SeenChunks.step(packed)) {
                    if (filter.entries() >= maxFilteredSeen) {
                        filter.uncertainUntil(now + windowMs);
                        return;
                    }
                    long seenAt = SeenChunks.seenAt(chunk, at, packed);
                    if (now - seenAt < windowMs) {
                        filter.add(SeenChunks.fingerprint(chunk, at), seenAt, now);
                    }
                }
            }
        }
    }

    /** The chunks of one bucket of the current key's dedup state (none when it holds nothing). */
    private Iterable<long[]> chunksOf(int bucket) throws Exception {
        Iterable<long[]> chunks = seenBuckets.of(bucket, seenDescriptor).get();
        return chunks == null ? List.of() : chunks;
    }

    /** Whether the current key's dedup state holds the messageId of this hash and check, seen after {@code since}. */
    private boolean seenInState(long hash, int check, long since) throws Exception {
        for (long[] chunk : chunksOf(bucketOf(hash))) {
            boolean packed = SeenChunks.isPacked(chunk);
            for (int at = SeenChunks.first(packed); at < chunk.length; at += SeenChunks.step(packed)) {
                if (SeenChunks.fingerprint(chunk, at) == hash && SeenChunks.checkMatches(chunk, at, packed, check)
                        && SeenChunks.seenAt(chunk, at, packed) > since) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Moves the current key's entries from the dedup states of checkpoints taken before buckets
     * ({@link #LEGACY_SEEN_NAME}, {@link #FINGERPRINT_SEEN_NAME}) to {@link #SEEN_NAME}, those still inside
     * {@code windowMs}, and clears both.
     */
    private void moveOlderSeen(long windowMs, long now) throws Exception {
        UnwrittenFingerprints moving = new UnwrittenFingerprints();
        boolean any = false;
        for (Map.Entry<String, Long> entry : legacySeen.entries()) {
            any = true;
            if (now - entry.getValue() < windowMs) {
                moving.add(SeenMessageIdFilter.hash(entry.getKey()), entry.getValue(), entry.getKey().hashCode());
            }
            if (moving.size() >= maxUnwrittenSeenPerKey) {
                writeChunks(moving);
            }
        }
        for (Map.Entry<Long, long[]> entry : fingerprintSeen.entries()) {
            any = true;
            long[] value = entry.getValue();
            if (now - value[FINGERPRINT_SEEN_AT] < windowMs) {
                moving.add(entry.getKey(), value[FINGERPRINT_SEEN_AT], (int) value[FINGERPRINT_CHECK]);
            }
            if (moving.size() >= maxUnwrittenSeenPerKey) {
                writeChunks(moving);
            }
        }
        if (any) {
            writeChunks(moving);
            legacySeen.clear();
            fingerprintSeen.clear();
        }
    }

    /** The current key's open batch, or null; read from the state only the first time this instance sees the key. */
    private OpenBatch openBatch(String key) throws Exception {
        OpenBatch open = openBatches.get(key);
        if (open != null || !knownKeys.add(key)) {
            return open;
        }
        Long due = deadline.value();
        if (due == null) {
            return null;
        }
        open = new OpenBatch(due, 0);
        for (RoutedEvent buffered : buffer.get()) {
            open.add(buffered);
        }
        open.inState = true;
        open.changedSinceSpill = false;
        openBatches.put(key, open);
        return open;
    }

    private void flush(String key, OpenBatch open, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        TimerService timers = ctx.timerService();
        dropDuplicates(key, open, timers.currentProcessingTime(),
                filtered -> ctx.output(OutputTags.FILTERED, filtered));
        openBatches.remove(key);
        if (open.inState) {
            buffer.clear();
            deadline.clear();
        }
        // the batch's timer stays for the key's next batch (see deadlineTimers); if none comes, it fires on nothing
        if (open.events.isEmpty()) {
            return;
        }
        RoutedEvent first = open.events.get(0);
        emit(key, new DeliveryBatch(first.destinationId(), first.shard(), open.events.toArray(RoutedEvent[]::new),
                open.bytes, timers.currentProcessingTime()), timers, out);
    }

    /** Keys with something on the heap that the next checkpoint must hold: see {@link #spill}. */
    List<String> keysToSpill() {
        Set<String> keys = new HashSet<>();
        unwrittenSeen.forEach((key, unwritten) -> {
            if (!unwritten.isEmpty()) {
                keys.add(key);
            }
        });
        openBatches.forEach((key, open) -> {
            if (open.changedSinceSpill) {
                keys.add(key);
            }
        });
        return new ArrayList<>(keys);
    }

    /**
     * Writes what the heap holds for {@code key} (its open batch and the messageIds it has seen) to keyed state.
     * Called with {@code key} as the backend's current key, right before a checkpoint barrier.
     */
    void spill(String key, long now, Consumer<DeliveryLogRecord> filtered) throws Exception {
        OpenBatch open = openBatches.get(key);
        if (open != null && open.changedSinceSpill) {
            // the state holds checked events only: the check's entries go into the same checkpoint
            dropDuplicates(key, open, now, filtered);
            buffer.update(open.events);
            deadline.update(open.deadline);
            open.inState = true;
            open.changedSinceSpill = false;
            knownKeys.add(key);
        }
        writeSeen(key);
    }

    /** A key's destination is held until {@code until}; after that, a probe goes out and its answer is awaited. */
    private static final class Hold {
        final String destinationId;
        long until;
        boolean probeSent;

        Hold(String destinationId, long until) {
            this.destinationId = destinationId;
            this.until = until;
        }
    }

    /** Writes the key's unwritten dedup entries ({@link #writeChunks}). */
    private void writeSeen(String key) throws Exception {
        UnwrittenFingerprints unwritten = unwrittenSeen.get(key);
        if (unwritten != null && !unwritten.isEmpty()) {
            unwrittenSeenCount -= unwritten.size();
            writeChunks(unwritten);
        }
    }

    /**
     * Appends {@code entries} to the current key's {@link #SEEN_NAME}, one chunk per bucket they fall in, and clears
     * them: a write of 400,000 entries is at most {@link #SEEN_BUCKETS} appends of about 24 each.
     */
    private void writeChunks(UnwrittenFingerprints entries) throws Exception {
        UnwrittenFingerprints.Buckets buckets = entries.byBucket(SEEN_BUCKET_BITS);
        int[] order = buckets.order();
        int[] starts = buckets.starts();
        for (int bucket = 0; bucket < SEEN_BUCKETS; bucket++) {
            int start = starts[bucket];
            int end = starts[bucket + 1];
            if (start == end) {
                continue;
            }
            seenBuckets.of(bucket, seenDescriptor).add(SeenChunks.pack(entries, order, start, end));
        }
        entries.clear();
    }
}
