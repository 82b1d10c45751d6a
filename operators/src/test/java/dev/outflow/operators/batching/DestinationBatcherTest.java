package dev.outflow.operators.batching;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

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

    private KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, DeliveryBatch> harness;

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

        harness.processElement(record(first));
        harness.processElement(record(second));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(bufferedKeys()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(NOW + 100);
        harness.processElement(record(third));

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

        harness.processElement(record(first));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(record(second));

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

        harness.processElement(record(first));
        harness.processElement(record(second));
        harness.setProcessingTime(NOW + 300);
        harness.processElement(record(third));

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

        harness.processElement(record(huge));

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

        harness.processElement(record(first));
        harness.setProcessingTime(NOW + 500);
        harness.processElement(record(second));
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

        harness.processElement(record(first));
        assertStateAndTimersCleared();
        harness.processElement(record(second));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryBatch("single", 0, new RoutedEvent[] {first}, 10, NOW),
                new DeliveryBatch("single", 0, new RoutedEvent[] {second}, 10, NOW));
        assertStateAndTimersCleared();
    }

    @Test
    void theTimerOfABatchFlushedByCountDoesNotFireLater() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        for (int i = 0; i < 3; i++) {
            harness.processElement(record(event("counted", 0, "m" + i, 10)));
        }

        harness.setProcessingTime(NOW + 10 * MAX_WAIT);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertStateAndTimersCleared();
    }

    @Test
    void shardsOfOneDestinationBatchIndependently() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement(record(event("counted", 0, "a1", 10)));
        harness.processElement(record(event("counted", 1, "b1", 10)));
        harness.processElement(record(event("counted", 0, "a2", 10)));
        harness.processElement(record(event("counted", 0, "a3", 10)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
            assertThat(batch.shard()).isZero();
            assertThat(batch.events()).extracting(RoutedEvent::messageId).containsExactly("a1", "a2", "a3");
        });
        assertThat(bufferedKeys()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

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
        harness.processElement(record(first));
        harness.processElement(record(second));
        harness.setProcessingTime(NOW + 200);
        harness.processElement(record(other));

        OperatorSubtaskState snapshot = harness.snapshot(1L, NOW + 250);
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

    @Test
    void aRestoredBatchStillFlushesOnCount() throws Exception {
        harness = openHarness(Backend.HEAP, null);
        harness.processElement(record(event("counted", 0, "m1", 10)));
        harness.processElement(record(event("counted", 0, "m2", 10)));
        OperatorSubtaskState snapshot = harness.snapshot(1L, NOW);
        harness.close();

        harness = openHarness(Backend.HEAP, snapshot);
        harness.processElement(record(event("counted", 0, "m3", 10)));

        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(batch -> assertThat(batch.events()).extracting(RoutedEvent::messageId)
                        .containsExactly("m1", "m2", "m3"));
        assertStateAndTimersCleared();
    }

    private void assertStateAndTimersCleared() throws Exception {
        assertThat(bufferedKeys()).as("keys holding batch state").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        if (harness.getOperator().getKeyedStateBackend() instanceof HeapKeyedStateBackend) {
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    /**
     * Keys with anything in either state. Works on every backend, unlike numKeyedStateEntries (heap only), and
     * checks both states agree: a key with a buffer but no progress, or the reverse, would be a leak.
     */
    private long bufferedKeys() throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        List<String> buffered = backend.getKeys(DestinationBatcher.BUFFER.getName(), VoidNamespace.INSTANCE).toList();
        List<String> progressed =
                backend.getKeys(DestinationBatcher.PROGRESS.getName(), VoidNamespace.INSTANCE).toList();
        assertThat(buffered).containsExactlyInAnyOrderElementsOf(progressed);
        return buffered.size();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, DeliveryBatch> openHarness(
            Backend backend, OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, RoutedEvent, DeliveryBatch> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DestinationBatcher(CATALOG)), RoutedEvent::routeKey,
                        Types.STRING);
        harness.setStateBackend(backend.factory.get());
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

    private static StreamRecord<RoutedEvent> record(RoutedEvent event) {
        return new StreamRecord<>(event);
    }
}
