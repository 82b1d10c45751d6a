package dev.outflow.operators.batching;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.delivery.DestinationLane;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keyed batching in a harness: each flush rule, the state and timer left behind after every flush (none), and
 * buffered events surviving a snapshot and restore, on the heap and the RocksDB state backends.
 */
class DestinationBatcherTest {

    private static final long NOW = 10_000L;
    private static final long MAX_WAIT = 1_000L;

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: counted
                type: webhook
                endpoint: https://counted.example/in
                batching: {maxEvents: 3, maxBytes: 512kb, maxWait: 1s, shards: 2}
              - id: sized
                type: webhook
                endpoint: https://sized.example/in
                batching: {maxEvents: 100, maxBytes: 1024, maxWait: 1s}
              - id: single
                type: webhook
                endpoint: https://single.example/in
              - id: bulk
                type: webhook
                endpoint: https://bulk.example/in
                batching: {mode: bulk, maxEvents: 1000, maxWait: 1s}
              - id: deduped
                type: webhook
                endpoint: https://deduped.example/in
                delivery: {dedupWindow: 5s}
              - id: briefly-retried
                type: webhook
                endpoint: https://briefly-retried.example/in
                delivery: {retry: {window: 3s, initialWait: 1s, maxWait: 1s}}
            """);

    /** The state backends the job may run with; the batcher must behave the same on both. */
    enum Backend {
        HEAP(HashMapStateBackend::new),
        ROCKSDB(EmbeddedRocksDBStateBackend::new);

        private final Supplier<StateBackend> factory;

        Backend(Supplier<StateBackend> factory) {
            this.factory = factory;
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> harness;
    private long checkpointId;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void flushesWhenTheBatchReachesMaxEvents(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("counted", 0, "m1", 10);
        RoutedEvent second = event("counted", 0, "m2", 20);
        RoutedEvent third = event("counted", 0, "m3", 30);

        harness.processElement1(record(first));
        harness.processElement1(record(second));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(bufferedKeys()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(NOW + 100);
        harness.processElement1(record(third));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("counted", 0, new RoutedEvent[] {first, second, third}, 60, NOW + 100));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void flushesWhenTheBatchReachesMaxBytes(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("sized", 0, "m1", 400);
        RoutedEvent second = event("sized", 0, "m2", 624);

        harness.processElement1(record(first));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement1(record(second));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
            assertThat(batch.events()).containsExactly(first, second);
            assertThat(batch.payloadBytes()).isEqualTo(1024);
        });
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anEventThatWouldOverflowMaxBytesSendsTheOpenBatchAndStartsANewOne(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("sized", 0, "m1", 400);
        RoutedEvent second = event("sized", 0, "m2", 400);
        RoutedEvent third = event("sized", 0, "m3", 400);

        harness.processElement1(record(first));
        harness.processElement1(record(second));
        harness.setProcessingTime(NOW + 300);
        harness.processElement1(record(third));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(first, second));
        assertThat(bufferedKeys()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // The new batch gets its own full wait, counted from its first event.
        harness.setProcessingTime(NOW + 1_000);
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.setProcessingTime(NOW + 300 + MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(2).last()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(third));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anEventLargerThanMaxBytesGoesAloneWithoutTouchingState(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent huge = event("sized", 0, "m1", 5_000);

        harness.processElement1(record(huge));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(huge));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void flushesWhenTheFirstEventHasWaitedMaxWait(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("counted", 1, "m1", 10);
        RoutedEvent second = event("counted", 1, "m2", 10);

        harness.processElement1(record(first));
        harness.setProcessingTime(NOW + 500);
        harness.processElement1(record(second));
        harness.setProcessingTime(NOW + MAX_WAIT - 1);

        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("counted", 1, new RoutedEvent[] {first, second}, 20, NOW + MAX_WAIT));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSingleEventDestinationSendsEachEventAtOnceAndKeepsNoState(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("single", 0, "m1", 10);
        RoutedEvent second = event("single", 0, "m2", 10);

        harness.processElement1(record(first));
        assertStateAndTimersCleared();
        harness.processElement1(record(second));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("single", 0, new RoutedEvent[] {first}, 10, NOW),
                new DeliveryBatch("single", 0, new RoutedEvent[] {second}, 10, NOW + MAX_WAIT));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBundleBatchesEachPairUnderItsOwnKey(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent counted = event("counted", 1, "m1", 10);
        RoutedEvent single = event("single", 0, "m1", 10);

        harness.processElement1(new StreamRecord<>(new RoutedBundle(new RoutedEvent[] {counted, single})));

        // the single-event destination sends at once; counted's batch waits, in its own key's state, for its timer
        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("single", 0, new RoutedEvent[] {single}, 10, NOW));
        assertThat(bufferedKeys()).isEqualTo(1);
        assertThat(keysOf(DestinationBatcher.BUFFER.getName())).containsExactly("counted#1");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(NOW + MAX_WAIT);
        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("single", 0, new RoutedEvent[] {single}, 10, NOW),
                new DeliveryBatch("counted", 1, new RoutedEvent[] {counted}, 10, NOW + MAX_WAIT));
        assertStateAndTimersCleared();
    }

    @Test
    void aBundledPairWhoseKeyAnotherSubtaskOwnsStopsTheJobInsteadOfWritingStateThere() throws Exception {
        int maxParallelism = 128;
        int here = shardKeyedTo(0, maxParallelism);
        int elsewhere = shardKeyedTo(1, maxParallelism);
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new DestinationBatchOperator(
                new DestinationBatcher(CATALOG)), RoutedBundle::routeKey, ParkedBatch::routeKey, Types.STRING,
                maxParallelism, 2, 0);
        harness.setProcessingTime(NOW);
        harness.open();
        RoutedBundle misrouted = new RoutedBundle(new RoutedEvent[] {
            event("counted", here, "m1", 10), event("counted", elsewhere, "m1", 10)});

        assertThatThrownBy(() -> harness.processElement1(new StreamRecord<>(misrouted)))
                .hasMessageContaining("'counted#" + elsewhere + "'")
                .hasMessageContaining("same parallelism and max parallelism");
    }

    /** A shard of {@code counted} whose key lands on {@code subtask} of two. */
    private static int shardKeyedTo(int subtask, int maxParallelism) {
        for (int shard = 0; ; shard++) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator("counted#" + shard, maxParallelism, 2) == subtask) {
                return shard;
            }
        }
    }

    @Test
    void theTimerOfABatchFlushedByCountSendsNothingWhenItFires() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        for (int i = 0; i < 3; i++) {
            harness.processElement1(record(event("counted", 0, "m" + i, 10)));
        }

        harness.setProcessingTime(NOW + 10 * MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertStateAndTimersCleared();
    }

    @Test
    void shardsOfOneDestinationBatchIndependently() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement1(record(event("counted", 0, "a1", 10)));
        harness.processElement1(record(event("counted", 1, "b1", 10)));
        harness.processElement1(record(event("counted", 0, "a2", 10)));
        harness.processElement1(record(event("counted", 0, "a3", 10)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
            assertThat(batch.shard()).isZero();
            assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("a1", "a2", "a3");
        });
        assertThat(bufferedKeys()).isEqualTo(1);

        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(2).last()
                .satisfies(batch -> assertThat(batch.shard()).isEqualTo(1));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bufferedEventsAndTheirTimerSurviveSnapshotAndRestore(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("counted", 0, "m1", 10);
        RoutedEvent second = event("counted", 0, "m2", 10);
        RoutedEvent other = event("counted", 1, "o1", 10);
        harness.processElement1(record(first));
        harness.processElement1(record(second));
        harness.setProcessingTime(NOW + 200);
        harness.processElement1(record(other));

        OperatorSubtaskState snapshot = checkpoint(NOW + 250);
        harness.close();

        harness = openHarness(backend, snapshot);
        assertThat(bufferedKeys()).isEqualTo(2);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("counted", 0, new RoutedEvent[] {first, second}, 20, NOW + MAX_WAIT));

        harness.setProcessingTime(NOW + 200 + MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(2).last()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(other));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRestoredBatchStillFlushesOnCount(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        harness.processElement1(record(event("counted", 0, "m1", 10)));
        harness.processElement1(record(event("counted", 0, "m2", 10)));
        OperatorSubtaskState snapshot = checkpoint(NOW);
        harness.close();

        harness = openHarness(backend, snapshot);
        harness.processElement1(record(event("counted", 0, "m3", 10)));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("m1", "m2", "m3"));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void batchesSentFullShareOneTimerThatStillSendsALaterBatchAtItsOwnDeadline(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        for (int n = 0; n < 9; n++) {
            harness.processElement1(record(event("counted", 0, "full-" + n, 10)));
        }
        assertThat(harness.extractOutputValues()).as("three full batches").hasSize(3);
        assertThat(harness.numProcessingTimeTimers()).as("the first batch's timer, kept").isEqualTo(1);

        harness.setProcessingTime(NOW + 400);
        RoutedEvent late = event("counted", 0, "late", 10);
        harness.processElement1(record(late));
        assertThat(harness.numProcessingTimeTimers()).as("the late batch counts on the kept timer").isEqualTo(1);

        harness.setProcessingTime(NOW + MAX_WAIT);
        assertThat(harness.extractOutputValues()).as("the kept timer fired before the late batch was due")
                .hasSize(3);
        assertThat(harness.numProcessingTimeTimers()).as("the late batch's own deadline").isEqualTo(1);

        harness.setProcessingTime(NOW + 400 + MAX_WAIT - 1);
        assertThat(harness.extractOutputValues()).hasSize(3);
        harness.setProcessingTime(NOW + 400 + MAX_WAIT);
        assertThat(harness.extractOutputValues()).hasSize(4).last().isEqualTo(
                new DeliveryBatch("counted", 0, new RoutedEvent[] {late}, 10, NOW + 400 + MAX_WAIT));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBatchCountingOnAKeptTimerIsSentAtItsDeadlineAfterARestore(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        for (int n = 0; n < 3; n++) {
            harness.processElement1(record(event("counted", 0, "full-" + n, 10)));
        }
        harness.setProcessingTime(NOW + 400);
        RoutedEvent late = event("counted", 0, "late", 10);
        harness.processElement1(record(late));
        OperatorSubtaskState snapshot = checkpoint(NOW + 450);
        harness.close();

        harness = openHarness(backend, snapshot);
        harness.setProcessingTime(NOW + MAX_WAIT);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(NOW + 400 + MAX_WAIT);
        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("counted", 0, new RoutedEvent[] {late}, 10, NOW + 400 + MAX_WAIT));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRestoredBatchStillFlushesOnBytes(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("sized", 0, "m1", 400);
        harness.processElement1(record(first));
        OperatorSubtaskState snapshot = checkpoint(NOW);
        harness.close();

        harness = openHarness(backend, snapshot);
        RoutedEvent second = event("sized", 0, "m2", 700);
        harness.processElement1(record(second));

        assertThat(harness.extractOutputValues()).as("the restored 400 bytes plus 700 would overflow 1024")
                .singleElement().satisfies(batch -> {
                    assertThat(batch.events()).containsExactly(first);
                    assertThat(batch.payloadBytes()).isEqualTo(400);
                });
        assertThat(bufferedKeys()).as("the new event opened the next batch").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRetryWaitsParkedUntilDueThenJoinsNewTraffic(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent retried = tried(event("counted", 0, "r1", 10));
        RoutedEvent fresh = event("counted", 0, "n1", 10);

        harness.processElement2(parked(500, false, retried));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(keysOf(DestinationBatcher.PARKED.getName())).containsExactly("counted#0");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.processElement1(record(fresh));
        harness.setProcessingTime(NOW + 500);

        assertThat(keysOf(DestinationBatcher.PARKED.getName())).isEmpty();
        assertThat(harness.extractOutputValues()).as("the retry waits in the open batch").isEmpty();

        RoutedEvent later = event("counted", 0, "n2", 10);
        harness.processElement1(record(later));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(fresh, retried, later));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBulkRetryGoesOutAgainAsTheSameBatch(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = tried(event("bulk", 0, "b1", 10));
        RoutedEvent second = tried(event("bulk", 0, "b2", 20));
        harness.processElement1(record(event("bulk", 0, "new", 10)));

        harness.processElement2(parked(300, true, first, second));
        harness.setProcessingTime(NOW + 300);

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("bulk", 0, new RoutedEvent[] {first, second}, 30, NOW + 300));
        assertThat(bufferedKeys()).as("new traffic keeps its own batch").isEqualTo(1);

        harness.setProcessingTime(NOW + MAX_WAIT);
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void whileItsDestinationIsHeldAShardParksItsNewBatchesAndAtTheHoldsEndSendsOneProbeFirst(Backend backend)
            throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent handedBack = event("counted", 0, "h1", 10);
        harness.processElement2(new StreamRecord<>(new ParkedBatch("counted", 0, new RoutedEvent[] {handedBack},
                NOW + 2_000, false, true)));
        for (String id : List.of("n1", "n2", "n3")) {
            harness.processElement1(record(event("counted", 0, id, 10)));
        }
        RoutedEvent otherShard = event("counted", 1, "o1", 10);
        harness.processElement1(record(otherShard));

        assertThat(harness.extractOutputValues()).as("the full batch waits with the one handed back").isEmpty();
        assertThat(keysOf(DestinationBatcher.PARKED.getName())).containsExactly("counted#0");
        assertThat(bufferedKeys()).as("only the other shard has an open batch").isEqualTo(1);

        harness.setProcessingTime(NOW + MAX_WAIT);
        assertThat(harness.extractOutputValues()).as("a shard that was not told of the hold sends").singleElement()
                .satisfies(batch -> assertThat(batch.events()).containsExactly(otherShard));

        harness.setProcessingTime(NOW + 2_000);
        assertThat(harness.extractOutputValues()).as("the batch parked first goes alone, as the probe").hasSize(2)
                .last().satisfies(batch -> assertThat(batch.events()).containsExactly(handedBack));

        harness.processElement1(record(event("counted", 0, "n4", 10)));
        harness.processElement1(record(event("counted", 0, "n5", 10)));
        long answerDue = NOW + 2_000 + DestinationBatcher.probeAnswerMs(CATALOG.get("counted"));
        harness.setProcessingTime(answerDue - 1);
        assertThat(harness.extractOutputValues()).as("the rest wait for the probe's answer").hasSize(2);

        harness.setProcessingTime(answerDue);
        assertThat(harness.extractOutputValues()).as("no news from the probe: everything due goes").hasSize(3)
                .last().satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n1", "n2", "n3"));
        harness.setProcessingTime(answerDue + MAX_WAIT);
        assertThat(harness.extractOutputValues()).hasSize(4).last()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n4", "n5"));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aProbeHandedBackHeldAgainKeepsEverythingElseParked(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        holdShardZeroUntilTwoSecondsWithAFullBatchParked();
        harness.setProcessingTime(NOW + 2_000);
        DeliveryBatch probe = harness.extractOutputValues().get(0);

        // the lane holds the probe back again, until 5 s after the rest would have gone without news
        long answerDue = NOW + 2_000 + DestinationBatcher.probeAnswerMs(CATALOG.get("counted"));
        harness.processElement2(new StreamRecord<>(new ParkedBatch("counted", 0, probe.events(), answerDue + 5_000,
                false, true)));
        harness.setProcessingTime(answerDue);

        assertThat(harness.extractOutputValues()).as("nothing but the probe went out").hasSize(1);
        assertThat(parkedEventCount()).isEqualTo(4);

        harness.setProcessingTime(answerDue + 5_000);
        assertThat(harness.extractOutputValues()).as("the next probe: the batch parked first").hasSize(2).last()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n1", "n2", "n3"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aResumeSendsWhatWaitedForTheHoldAtOnce(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        holdShardZeroUntilTwoSecondsWithAFullBatchParked();
        harness.processElement2(parked(60_000, false, tried(event("counted", 0, "later", 10))));
        harness.setProcessingTime(NOW + 2_000);
        assertThat(harness.extractOutputValues()).as("the probe").hasSize(1);

        harness.setProcessingTime(NOW + 2_100);
        harness.processElement2(new StreamRecord<>(ParkedBatch.resume("counted", 0, NOW + 2_100)));

        assertThat(harness.extractOutputValues()).as("the destination answered the probe: the rest go now")
                .hasSize(2).last().satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n1", "n2", "n3"));
        assertThat(parkedEventCount()).as("a retry waiting for its own backoff still waits").isEqualTo(1);
    }

    @Test
    void aHoldLongerThanTheCircuitCanStayOpenHoldsNewBatchesOnlyThatLong() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement2(new StreamRecord<>(new ParkedBatch("counted", 0,
                new RoutedEvent[] {event("counted", 0, "waited-long", 10)}, NOW + 3_600_000, false, true)));
        for (String id : List.of("n1", "n2", "n3")) {
            harness.processElement1(record(event("counted", 0, id, 10)));
        }
        long longestOpen = DestinationLane.longestCircuitHoldMs(CATALOG.get("counted"));

        harness.setProcessingTime(NOW + longestOpen - 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(NOW + longestOpen);
        assertThat(harness.extractOutputValues()).as("new traffic goes out to be the next probe").singleElement()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n1", "n2", "n3"));
        assertThat(keysOf(DestinationBatcher.PARKED.getName())).as("the batch that waited long still waits")
                .containsExactly("counted#0");
    }

    @Test
    void aHeldDestinationsNewEventsComeBackNoLaterThanTheirRetryWindowEnds() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement2(new StreamRecord<>(new ParkedBatch("briefly-retried", 0,
                new RoutedEvent[] {event("briefly-retried", 0, "h1", 10)}, NOW + 60_000, false, true)));
        harness.setProcessingTime(NOW + 1_000);
        RoutedEvent fresh = new RoutedEvent("briefly-retried", 0, "n1", "track", new byte[10], "events/0/2",
                NOW + 1_000);
        harness.processElement1(record(fresh));

        assertThat(harness.extractOutputValues()).as("parked while the destination is held").isEmpty();

        harness.setProcessingTime(NOW + 4_000);

        assertThat(harness.extractOutputValues()).as("back when its 3 s window ends, to be dead-lettered")
                .singleElement().satisfies(batch -> assertThat(batch.events()).containsExactly(fresh));
    }

    @Test
    void eventsParkedForTheirOwnBackoffDoNotHoldNewBatches() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement2(parked(2_000, false, tried(event("single", 0, "r1", 10))));
        harness.processElement1(record(event("single", 0, "n1", 10)));

        assertThat(harness.extractOutputValues()).extracting(batch -> batch.events()[0].messageId())
                .containsExactly("n1");
    }

    @Test
    void aRetryAlreadyDueIsReleasedAtOnce() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        RoutedEvent retried = tried(event("single", 0, "r1", 10));

        harness.processElement2(parked(-5, false, retried));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("single", 0, new RoutedEvent[] {retried}, 10, NOW));
        assertStateAndTimersCleared();
    }

    @Test
    void retriesDueAtTheSameTimeEachGetASlotOfTheirOwn() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement2(parked(400, false, tried(event("single", 0, "a", 10))));
        harness.processElement2(parked(400, false, tried(event("single", 0, "b", 10))));

        assertThat(harness.numProcessingTimeTimers()).as("one timer per slot").isEqualTo(2);

        harness.setProcessingTime(NOW + 401);

        assertThat(harness.extractOutputValues()).as("due together, both go")
                .extracting(batch -> batch.events()[0].messageId()).containsExactly("a", "b");
        assertStateAndTimersCleared();

        harness.processElement2(parked(900, true, tried(event("bulk", 0, "x", 10))));
        harness.processElement2(parked(900, true, tried(event("bulk", 0, "y", 10))));
        harness.setProcessingTime(NOW + 901);

        assertThat(harness.extractOutputValues()).hasSize(4).satisfies(batches -> {
            assertThat(batches.get(2).events()).extracting(RoutedEvent::messageId).containsExactly("x");
            assertThat(batches.get(3).events()).extracting(RoutedEvent::messageId).containsExactly("y");
        });
        assertStateAndTimersCleared();
    }

    @Test
    void flushingABatchKeepsATimerItSharesWithAParkedRetry() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement1(record(event("counted", 0, "n1", 10)));
        harness.processElement2(parked(MAX_WAIT, false, tried(event("counted", 0, "r1", 10))));
        harness.processElement1(record(event("counted", 0, "n2", 10)));
        harness.processElement1(record(event("counted", 0, "n3", 10)));

        assertThat(harness.extractOutputValues()).hasSize(1);

        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(keysOf(DestinationBatcher.PARKED.getName())).as("released by the shared timer").isEmpty();
        assertThat(bufferedKeys()).as("the retry opened a new batch").isEqualTo(1);

        harness.setProcessingTime(NOW + 2 * MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(2).last()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("r1"));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void parkedRetriesAndTheirTimersSurviveSnapshotAndRestore(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent retried = tried(event("single", 0, "r1", 10));
        harness.processElement2(parked(2_000, false, retried));
        OperatorSubtaskState snapshot = checkpoint(NOW);
        harness.close();

        harness = openHarness(backend, snapshot);
        assertThat(keysOf(DestinationBatcher.PARKED.getName())).containsExactly("single#0");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(NOW + 2_000);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
            assertThat(batch.events()).containsExactly(retried);
            assertThat(batch.events()[0].attempts()).as("the attempt count travels with the event").isEqualTo(1);
        });
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMessageIdSeenWithinTheDedupWindowIsFilteredNotSent(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.setProcessingTime(NOW + 4_999);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).singleElement().satisfies(filtered -> {
            assertThat(filtered.getValue().messageIds()).containsExactly("m1");
            assertThat(filtered.getValue().reason()).isEqualTo("duplicate_message_id");
        });
        harness.prepareSnapshotPreBarrier(++checkpointId);
        assertThat(keysWithSeenEntries()).containsExactly("deduped#0");

        OperatorSubtaskState snapshot = checkpoint(NOW + 4_999);
        harness.close();
        harness = openHarness(backend, snapshot);
        harness.setProcessingTime(NOW + 4_999);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        assertThat(harness.extractOutputValues()).as("still a duplicate after a restore").isEmpty();

        harness.setProcessingTime(NOW + 5_000);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        assertThat(harness.extractOutputValues()).as("the window is over").hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBatchedEventIsCheckedForDuplicatesWhenItsBatchGoesOut(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        harness.processElement1(record(event("counted", 0, "m1", 10)));
        harness.processElement1(record(event("counted", 0, "m2", 10)));
        harness.processElement1(record(event("counted", 0, "m1", 10)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
            assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("m1", "m2");
            assertThat(batch.payloadBytes()).isEqualTo(20);
        });
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).singleElement().satisfies(filtered -> {
            assertThat(filtered.getValue().messageIds()).containsExactly("m1");
            assertThat(filtered.getValue().reason()).isEqualTo("duplicate_message_id");
        });

        harness.setProcessingTime(NOW + 100);
        RoutedEvent fresh = event("counted", 0, "m3", 10);
        harness.processElement1(record(event("counted", 0, "m2", 10)));
        harness.processElement1(record(fresh));
        harness.setProcessingTime(NOW + 100 + MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(2).last().isEqualTo(
                new DeliveryBatch("counted", 0, new RoutedEvent[] {fresh}, 10, NOW + 100 + MAX_WAIT));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).hasSize(2).last()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m2"));
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anOpenBatchReachesTheCheckpointCheckedForDuplicates(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        RoutedEvent first = event("counted", 0, "m1", 10);
        harness.processElement1(record(first));
        harness.processElement1(record(event("counted", 0, "m1", 10)));

        OperatorSubtaskState snapshot = checkpoint(NOW);
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("left before the barrier").singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m1"));
        assertThat(keysWithSeenEntries()).containsExactly("counted#0");
        harness.close();

        harness = openHarness(backend, snapshot);
        harness.processElement1(record(event("counted", 0, "m1", 10)));
        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(harness.extractOutputValues()).as("the batch as the checkpoint held it, without the repeat")
                .containsExactly(new DeliveryBatch("counted", 0, new RoutedEvent[] {first}, 10, NOW + MAX_WAIT));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("still a duplicate after the restore")
                .singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m1"));
        assertStateAndTimersCleared();
    }

    @Test
    void aBatchOfOnlyDuplicatesSendsNothing() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        for (int i = 0; i < 2; i++) {
            for (String messageId : List.of("m1", "m2", "m3")) {
                harness.processElement1(record(event("counted", 0, messageId, 10)));
            }
        }

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).hasSize(3));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).hasSize(3);
        assertStateAndTimersCleared();
    }

    @Test
    void aRetryIsNeverTakenForADuplicate() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        RoutedEvent first = event("deduped", 0, "m1", 10);
        harness.processElement1(record(first));

        harness.processElement2(parked(0, false, tried(first)));

        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).isNull();
    }

    @Test
    void retriesForADestinationNoLongerInTheCatalogAreDeadLettered() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement2(parked(100, false, tried(event("removed", 0, "m1", 10))));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.getSideOutput(OutputTags.DEAD_LETTERS)).singleElement().satisfies(letter -> {
            assertThat(letter.getValue().reason()).contains("'removed' is no longer in the catalog");
            assertThat(letter.getValue().attempts()).hasSize(1);
        });
        assertStateAndTimersCleared();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void openBatchesAndSeenMessageIdsReachKeyedStateOnlyBeforeACheckpoint(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        harness.processElement1(record(event("counted", 0, "m1", 10)));
        harness.processElement1(record(event("counted", 1, "o1", 10)));
        harness.processElement1(record(event("deduped", 0, "d1", 10)));

        assertThat(keysWithBatchState()).as("adding events touches no batch state").isZero();
        assertThat(keysWithSeenEntries()).as("nor the dedup state").isEmpty();

        harness.prepareSnapshotPreBarrier(++checkpointId);

        assertThat(keysWithBatchState()).as("both open batches are in the checkpoint").isEqualTo(2);
        assertThat(keysWithSeenEntries()).as("every destination dedups (24 h by default)")
                .containsExactlyInAnyOrder("counted#0", "counted#1", "deduped#0");

        harness.setProcessingTime(NOW + MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(3);
        assertStateAndTimersCleared();
    }

    /**
     * The bloom filter in front of the dedup state holds at most a few messageIds here: past that it drops its
     * oldest and, after a restore, stops reading the state back; either way the lookups go to the state again.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void duplicatesAreStillFoundWhenTheDedupStateOutgrowsItsFilter(Backend backend) throws Exception {
        harness = openHarness(backend, null, 3);
        for (int i = 1; i <= 5; i++) {
            harness.processElement1(record(event("deduped", 0, "m" + i, 10)));
        }
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("m1 no longer in the filter").singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m1"));

        OperatorSubtaskState snapshot = checkpoint(NOW);
        harness.close();
        harness = openHarness(backend, snapshot, 3);
        for (int i = 1; i <= 5; i++) {
            harness.processElement1(record(event("deduped", 0, "m" + i, 10)));
        }
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("five seen, three read back into the filter")
                .hasSize(5);

        harness.setProcessingTime(NOW + 5_000);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.processElement1(record(event("deduped", 0, "m6", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("the window is over").hasSize(5);
        assertThat(harness.extractOutputValues()).flatExtracting(batch -> List.of(batch.events()))
                .extracting(RoutedEvent::messageId).containsExactly("m1", "m6");
    }

    /**
     * A key past 576,000 messageIds starts its filter's largest generation: the filter is built again in that one
     * generation from the key's dedup state and its unwritten entries, and still knows every messageId.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBusyKeysFilterBuiltAgainInOneGenerationStillKnowsEveryMessageId(Backend backend) throws Exception {
        harness = openHarness(backend, null);
        int smallGenerations = SeenMessageIdFilter.FIRST_GENERATION_ENTRIES
                * (1 + SeenMessageIdFilter.GENERATION_GROWTH);
        for (int i = 0; i <= smallGenerations + 10; i++) {
            harness.processElement1(record(event("deduped", 0, "m" + i, 10)));
            if (i % 10_000 == 0) {
                harness.getOutput().clear();
            }
        }
        harness.getOutput().clear();
        DestinationBatcher batcher = ((DestinationBatchOperator) harness.getOperator()).batcher();
        assertThat(batcher.seenFilterOf("deduped#0").generations()).as("built again in one generation").isEqualTo(1);
        assertThat(keysWithSeenEntries()).as("some entries written, the latest not yet").containsExactly("deduped#0");

        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.processElement1(record(event("deduped", 0, "m" + (smallGenerations + 5), 10)));
        harness.processElement1(record(event("deduped", 0, "new", 10)));

        assertThat(harness.getSideOutput(OutputTags.FILTERED)).flatExtracting(filtered -> filtered.getValue()
                .messageIds()).containsExactly("m1", "m" + (smallGenerations + 5));
        assertThat(harness.extractOutputValues()).flatExtracting(batch -> List.of(batch.events()))
                .extracting(RoutedEvent::messageId).containsExactly("new");

        OperatorSubtaskState snapshot = checkpoint(NOW);
        harness.close();
        harness = openHarness(backend, snapshot);
        harness.processElement1(record(event("deduped", 0, "m2", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("after a restore too").singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m2"));
        assertThat(((DestinationBatchOperator) harness.getOperator()).batcher().seenFilterOf("deduped#0")
                .generations()).as("read back into one generation").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theKeyThatFillsTheTasksShareOfUnwrittenMessageIdsWritesItsOwn(Backend backend) throws Exception {
        // single events: each is recorded as it comes (a batch's are recorded when it goes out)
        harness = openHarness(backend, null, DestinationBatcher.MAX_FILTERED_SEEN_PER_KEY, 3);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.processElement1(record(event("deduped", 0, "m2", 10)));
        assertThat(keysWithSeenEntries()).isEmpty();

        harness.processElement1(record(event("deduped", 1, "o1", 10)));
        assertThat(keysWithSeenEntries()).as("the third for the task, the first for its key")
                .containsExactly("deduped#1");

        harness.processElement1(record(event("deduped", 0, "m3", 10)));
        assertThat(keysWithSeenEntries()).containsExactlyInAnyOrder("deduped#0", "deduped#1");
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m1"));
    }

    @Test
    void manySeenMessageIdsAreWrittenBeforeACheckpointComes() throws Exception {
        int maxPerKey = 500;
        harness = openHarness(Backend.HEAP, null, DestinationBatcher.MAX_FILTERED_SEEN_PER_KEY,
                DestinationBatcher.MAX_UNWRITTEN_SEEN, maxPerKey);
        for (int i = 0; i < maxPerKey; i++) {
            harness.processElement1(record(event("deduped", 0, "m" + i, 10)));
        }

        assertThat(keysWithSeenEntries()).as("written without a checkpoint").containsExactly("deduped#0");
        harness.processElement1(record(event("deduped", 0, "m7", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).singleElement()
                .satisfies(filtered -> assertThat(filtered.getValue().messageIds()).containsExactly("m7"));
    }

    /**
     * A savepoint upgrade: batcher state written by the version before {@link ParkedBatch#destinationHeld()} existed
     * (commit b0391df, with this test's catalog: a retry for {@code counted#0} parked until 12,000 ms, a bulk batch
     * parked until 13,000 ms, an open batch of one event due at 11,000 ms, at processing time 10,000 ms) restores
     * into this version, and every event comes out. The snapshots were written at that commit by this harness (full
     * snapshots, no incremental RocksDB files) with {@code OperatorSnapshotUtil.writeStateHandle}, after the
     * pre-barrier step.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void parkedRetriesAndOpenBatchesOfThePreviousVersionRestore(Backend backend) throws Exception {
        harness = openHarness(backend, snapshotOf("b0391df", backend));

        harness.setProcessingTime(11_000L);
        assertThat(harness.extractOutputValues()).as("the open batch at its deadline").singleElement()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("n1"));

        harness.setProcessingTime(13_000L);
        assertThat(harness.extractOutputValues()).hasSize(2).last().as("the bulk batch, as it was parked")
                .satisfies(batch -> {
                    assertThat(batch.destinationId()).isEqualTo("bulk");
                    assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("b1");
                    assertThat(batch.events()[0].attempts()).isEqualTo(1);
                });

        harness.setProcessingTime(14_000L);
        assertThat(harness.extractOutputValues()).as("the retry joined a new open batch, sent at its deadline")
                .hasSize(3).last().satisfies(batch -> {
                    assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("r1");
                    assertThat(batch.events()[0].history()).singleElement()
                            .satisfies(attempt -> assertThat(attempt.error()).isEqualTo("http 503"));
                });
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    /**
     * Nothing buffered or parked, and nothing scheduled once the max wait is over: a batch sent before its deadline
     * leaves its timer for the key's next batch, and that timer, firing on nothing, sends nothing and leaves
     * nothing. Only the dedup state is left: it remembers messageIds for the destination's dedup window and is
     * cleared by its TTL.
     */
    private void assertStateAndTimersCleared() throws Exception {
        assertThat(bufferedKeys()).as("keys holding batch state").isZero();
        assertThat(keysOf(DestinationBatcher.PARKED.getName())).as("keys holding parked retries").isEmpty();
        int outputs = harness.getOutput().size();
        harness.setProcessingTime(harness.getProcessingTime() + MAX_WAIT);
        assertThat(harness.getOutput()).as("outputs after the last deadline").hasSize(outputs);
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(bufferedKeys()).as("keys holding batch state").isZero();
    }

    /**
     * Shard 0 of {@code counted} learns a hold until {@code NOW + 2 s} from a batch handed back ({@code h1}), then
     * fills a batch ({@code n1..n3}) that it parks.
     */
    private void holdShardZeroUntilTwoSecondsWithAFullBatchParked() throws Exception {
        harness.processElement2(new StreamRecord<>(new ParkedBatch("counted", 0,
                new RoutedEvent[] {event("counted", 0, "h1", 10)}, NOW + 2_000, false, true)));
        for (String id : List.of("n1", "n2", "n3")) {
            harness.processElement1(record(event("counted", 0, id, 10)));
        }
    }

    /** Events parked for any key, read from the state. */
    private long parkedEventCount() throws Exception {
        long count = 0;
        for (String key : keysOf(DestinationBatcher.PARKED.getName())) {
            harness.getOperator().setCurrentKey(key);
            MapState<Long, ParkedBatch> parked = harness.getOperator().getKeyedStateBackend().getPartitionedState(
                    VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, DestinationBatcher.PARKED);
            for (ParkedBatch batch : parked.values()) {
                count += batch.size();
            }
        }
        return count;
    }

    /** The batcher snapshot a past commit wrote for {@code backend}, kept in the test resources. */
    private OperatorSubtaskState snapshotOf(String commit, Backend backend) throws Exception {
        URL resource = getClass().getResource(
                "/snapshots/batcher-" + commit + "-" + backend.name().toLowerCase(Locale.ROOT) + ".snapshot");
        assertThat(resource).as("snapshot resource").isNotNull();
        return OperatorSnapshotUtil.readStateHandle(Path.of(resource.toURI()).toString());
    }

    private List<String> keysOf(String stateName) {
        return harness.getOperator().<String>getKeyedStateBackend()
                .getKeys(stateName, VoidNamespace.INSTANCE).toList();
    }

    /** Keys with anything in any bucket of the dedup state. */
    private List<String> keysWithSeenEntries() {
        return harness.getOperator().<String>getKeyedStateBackend()
                .<Integer>getKeysAndNamespaces(DestinationBatcher.SEEN_NAME).map(keyAndBucket -> keyAndBucket.f0)
                .distinct().toList();
    }

    /**
     * A checkpoint of the version before fingerprints (commit f036874: {@code deduped#0} saw m1 and m2,
     * {@code deduped#1} saw m3, all at 10,000 ms, the checkpoint taken at 12,000 ms; written as the snapshots above)
     * keeps its duplicates: each key moves its messageIds to the bucketed state the first time it is seen, and
     * the old state is left empty.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void messageIdsSeenBeforeFingerprintsAreStillDuplicates(Backend backend) throws Exception {
        assertOlderDedupStateKeepsItsDuplicates("f036874", DestinationBatcher.LEGACY_SEEN_NAME, backend);
    }

    /**
     * The same for a checkpoint of the version before buckets (commit ca1119a, a map of fingerprints; the same
     * events and times, written by this harness at that commit).
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void fingerprintsSeenBeforeBucketsAreStillDuplicates(Backend backend) throws Exception {
        assertOlderDedupStateKeepsItsDuplicates("ca1119a", DestinationBatcher.FINGERPRINT_SEEN_NAME, backend);
    }

    /**
     * The same for a checkpoint whose dedup chunks hold three longs an entry (commit 4a6a8b1, before
     * {@link SeenChunks#PACKED}; the same events and times, written by this harness at that commit): its entries are
     * read as they are, next to packed chunks written after the restore.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void entriesInChunksOfThreeLongsAreStillDuplicates(Backend backend) throws Exception {
        harness = openHarness(backend, snapshotOf("4a6a8b1", backend));
        assertThat(keysWithSeenEntries()).containsExactlyInAnyOrder("deduped#0", "deduped#1");

        harness.setProcessingTime(NOW + 4_999);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.processElement1(record(event("deduped", 0, "m4", 10)));
        harness.processElement1(record(event("deduped", 1, "m3", 10)));
        harness.prepareSnapshotPreBarrier(++checkpointId);
        harness.processElement1(record(event("deduped", 0, "m4", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).extracting(filtered -> filtered.getValue().messageIds())
                .as("old entries, then a packed one written after the restore")
                .containsExactly(List.of("m1"), List.of("m3"), List.of("m4"));

        harness.setProcessingTime(NOW + 5_000);
        harness.processElement1(record(event("deduped", 0, "m2", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("m2's window is over").hasSize(3);
    }

    private void assertOlderDedupStateKeepsItsDuplicates(String commit, String olderStateName, Backend backend)
            throws Exception {
        harness = openHarness(backend, snapshotOf(commit, backend));
        assertThat(keysOf(olderStateName)).containsExactlyInAnyOrder("deduped#0", "deduped#1");

        harness.setProcessingTime(NOW + 4_999);
        harness.processElement1(record(event("deduped", 0, "m1", 10)));
        harness.processElement1(record(event("deduped", 0, "m4", 10)));
        harness.processElement1(record(event("deduped", 1, "m3", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).extracting(filtered -> filtered.getValue().messageIds())
                .containsExactly(List.of("m1"), List.of("m3"));

        harness.prepareSnapshotPreBarrier(++checkpointId);
        assertThat(keysOf(olderStateName)).as("moved, then cleared").isEmpty();
        assertThat(keysWithSeenEntries()).containsExactlyInAnyOrder("deduped#0", "deduped#1");

        harness.setProcessingTime(NOW + 5_000);
        harness.processElement1(record(event("deduped", 0, "m2", 10)));
        assertThat(harness.getSideOutput(OutputTags.FILTERED)).as("m2's window is over").hasSize(2);
    }

    /**
     * Keys whose open batch a checkpoint taken now would hold: runs the pre-barrier step of a checkpoint (the batcher
     * writes its heap to keyed state), then counts keys with anything in either batch state. Works on every backend,
     * unlike numKeyedStateEntries (heap only), and checks both states agree: a key with a buffer but no deadline, or
     * the reverse, would be a leak.
     */
    private long bufferedKeys() throws Exception {
        harness.prepareSnapshotPreBarrier(++checkpointId);
        return keysWithBatchState();
    }

    private long keysWithBatchState() {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        List<String> buffered = backend.getKeys(DestinationBatcher.BUFFER.getName(), VoidNamespace.INSTANCE).toList();
        List<String> progressed =
                backend.getKeys(DestinationBatcher.DEADLINE.getName(), VoidNamespace.INSTANCE).toList();
        assertThat(buffered).containsExactlyInAnyOrderElementsOf(progressed);
        return buffered.size();
    }

    /** A checkpoint as the task takes it: the pre-barrier step, then the snapshot. */
    private OperatorSubtaskState checkpoint(long timestamp) throws Exception {
        harness.prepareSnapshotPreBarrier(++checkpointId);
        return harness.snapshot(checkpointId, timestamp);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> openHarness(
            Backend backend, OperatorSubtaskState restoreFrom) throws Exception {
        return openHarness(backend, restoreFrom, DestinationBatcher.MAX_FILTERED_SEEN_PER_KEY);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> openHarness(
            Backend backend, OperatorSubtaskState restoreFrom, long maxFilteredSeen) throws Exception {
        return openHarness(backend, restoreFrom, maxFilteredSeen, DestinationBatcher.MAX_UNWRITTEN_SEEN);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> openHarness(
            Backend backend, OperatorSubtaskState restoreFrom, long maxFilteredSeen, int maxUnwrittenSeen)
            throws Exception {
        return openHarness(backend, restoreFrom, maxFilteredSeen, maxUnwrittenSeen,
                DestinationBatcher.MAX_UNWRITTEN_SEEN_PER_KEY);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> openHarness(
            Backend backend, OperatorSubtaskState restoreFrom, long maxFilteredSeen, int maxUnwrittenSeen,
            int maxUnwrittenSeenPerKey) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, RoutedBundle, ParkedBatch, DeliveryBatch> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new DestinationBatchOperator(new DestinationBatcher(CATALOG, maxFilteredSeen,
                                maxUnwrittenSeen, maxUnwrittenSeenPerKey)),
                        RoutedBundle::routeKey, ParkedBatch::routeKey, Types.STRING);
        harness.setStateBackend(backend.factory.get());
        // the busy-key test checkpoints a dedup state of 600,000 entries, past the default 5 MB
        harness.setCheckpointStorage(new JobManagerCheckpointStorage(64 * 1024 * 1024));
        harness.setProcessingTime(NOW);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        assertThat(harness.getOperator().getKeyedStateBackend().getClass().getSimpleName())
                .containsIgnoringCase(backend == Backend.ROCKSDB ? "RocksDB" : "Heap");
        return harness;
    }

    private static RoutedEvent event(String destinationId, int shard, String messageId, int payloadBytes) {
        byte[] payload = ("{\"m\":\"" + messageId + "\",\"pad\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[payloadBytes];
        System.arraycopy(payload, 0, padded, 0, Math.min(payload.length, payloadBytes));
        return new RoutedEvent(destinationId, shard, messageId, "track", padded, "events/0/1", NOW);
    }

    private static RoutedEvent tried(RoutedEvent event) {
        return event.withAttempt(new AttemptRecord(NOW - 1_000, 503, "http 503", 20));
    }

    private static StreamRecord<ParkedBatch> parked(long dueIn, boolean keepTogether, RoutedEvent... events) {
        return new StreamRecord<>(new ParkedBatch(events[0].destinationId(), events[0].shard(), events, NOW + dueIn,
                keepTogether));
    }

    private static StreamRecord<RoutedBundle> record(RoutedEvent event) {
        return new StreamRecord<>(RoutedBundle.of(event));
    }
}
