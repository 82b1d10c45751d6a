package dev.outflow.jobs;

import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which operators of the job share a task, as Flink plans it from the catalog. */
class OutflowTopologyTest {

    @Test
    void destinationsOfOneShardAreDeliveredFromTheBatchersTaskWithNoShuffleBetween() {
        DestinationCatalog catalog = warehouseAndCrm("{maxEvents: 100, maxWait: 200ms}");
        JobGraph graph = jobGraph(catalog);

        assertThat(OutflowTopology.deliversFromBatcher(catalog)).isTrue();
        assertThat(vertexOf(graph, "batch per destination").getName()).contains("deliver over http")
                .contains("account outcomes");
    }

    @Test
    void aDestinationOfSeveralShardsHasItsBatchesBroughtToTheOneSubtaskThatHoldsItsLane() {
        DestinationCatalog catalog = warehouseAndCrm("{maxEvents: 100, maxWait: 200ms, shards: 2}");
        JobGraph graph = jobGraph(catalog);

        assertThat(OutflowTopology.deliversFromBatcher(catalog)).isFalse();
        assertThat(vertexOf(graph, "batch per destination").getName()).doesNotContain("deliver over http");
        assertThat(vertexOf(graph, "deliver over http").getName()).contains("account outcomes");
    }

    /** A batched destination with the given batching settings, and one of single events (one shard). */
    private static DestinationCatalog warehouseAndCrm(String warehouseBatching) {
        return new CatalogLoader(Map.<String, String>of()::get).parse("catalog.yaml", """
                destinations:
                  - id: warehouse
                    type: webhook
                    endpoint: http://127.0.0.1:9/in
                    batching: %s
                  - id: crm
                    type: webhook
                    endpoint: http://127.0.0.1:9/crm
                """.formatted(warehouseBatching), false);
    }

    private static JobGraph jobGraph(DestinationCatalog catalog) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobSettings settings = new JobSettings(Path.of("catalog.yaml"), "127.0.0.1:9", "events", "delivery-log",
                "dead-letters", "outflow-test", "earliest", RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
                1_000, null, 2, 64, false, Map.of()).withRetryTopic("retries");
        OutflowJob.build(env, settings, catalog);
        return env.getStreamGraph(false).getJobGraph();
    }

    private static JobVertex vertexOf(JobGraph graph, String operator) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains(operator)) {
                return vertex;
            }
        }
        throw new AssertionError("no task runs " + operator + " in " + graph.getName());
    }
}
