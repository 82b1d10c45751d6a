package dev.outflow.operators.batching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.nio.file.Path;

/**
 * A savepoint upgrade: batcher state written by the version before {@link ParkedBatch#destinationHeld()} existed
 * (commit b0391df: a retry parked until 12,000 ms, a bulk batch parked until 13,000 ms, an open batch of one event
 * due at 11,000 ms, all at processing time 10,000 ms) restores into this version, and every event comes out.
 * The snapshots were written at that commit by a harness like this one's (full snapshots, no incremental RocksDB
 * files) with {@code OperatorSnapshotUtil.writeStateHandle}, after the pre-barrier step.
 */
class DestinationBatcherUpgradeTest {

    /** The catalog the snapshots were written with. */
    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: counted
                type: webhook
                endpoint: https://counted.example/in
                batching: {maxEvents: 3, maxBytes: 512kb, maxWait: 1s}
              - id: bulk
                type: webhook
                endpoint: https://bulk.example/in
                batching: {mode: bulk, maxEvents: 1000, maxWait: 1s}
            """);

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void parkedRetriesAndOpenBatchesOfThePreviousVersionRestore(String backend) throws Exception {
        URL resource = getClass().getResource("/snapshots/batcher-b0391df-" + backend + ".snapshot");
        assertThat(resource).as("snapshot resource").isNotNull();
        OperatorSubtaskState snapshot = OperatorSnapshotUtil.readStateHandle(Path.of(resource.toURI()).toString());
        StateBackend stateBackend = backend.equals("heap") ? new HashMapStateBackend()
                : new EmbeddedRocksDBStateBackend(false);

        try (KeyedTwoInputStreamOperatorTestHarness<String, RoutedEvent, ParkedBatch, DeliveryBatch> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new DestinationBatchOperator(new DestinationBatcher(CATALOG)), RoutedEvent::routeKey,
                        ParkedBatch::routeKey, Types.STRING)) {
            harness.setStateBackend(stateBackend);
            harness.setProcessingTime(10_000L);
            harness.initializeState(snapshot);
            harness.open();

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
    }
}
