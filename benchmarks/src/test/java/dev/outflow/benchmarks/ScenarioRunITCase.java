package dev.outflow.benchmarks;

import dev.outflow.jobs.local.LocalKafkaBroker;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deliverability scenario end to end on a small scale: the real job on the shared MiniCluster, a real Kafka
 * broker process, the fault-injecting endpoint; every event must end up accepted or dead-lettered, and the
 * report must be written.
 */
class ScenarioRunITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static Path workDir;
    private static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        workDir = Files.createTempDirectory("outflow-bench-test-");
        broker = LocalKafkaBroker.start(workDir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
        BenchFolders.deleteRecursively(workDir);
    }

    @Test
    void theSegmentProfileAccountsForEveryEventAndWritesTheReport() throws Exception {
        int events = 300;
        ScenarioRun.Settings settings = new ScenarioRun.Settings(events, new TimeScale(3_600), 7, 2,
                workDir.resolve("checkpoints"));
        StringWriter progress = new StringWriter();
        ScenarioRun runner = new ScenarioRun(broker, StreamExecutionEnvironment::getExecutionEnvironment, settings,
                new PrintWriter(progress, true));

        ScenarioResult result = runner.run(Profile.SEGMENT.scenarios(settings.scale(), 7).get(0));

        assertThat(result.completed()).as(progress.toString()).isTrue();
        DestinationFigures segment = result.destination("segment-webhook");
        assertThat(segment.sent()).isEqualTo(events);
        assertThat(segment.lost()).isZero();
        assertThat(segment.pending()).isZero();
        assertThat(segment.accepted() + segment.deadLettered()).isGreaterThanOrEqualTo(events);
        assertThat(segment.unconfirmed()).isZero();
        // an event held back past its (here 4 s) retry window is dead-lettered without a request, so only the
        // accepted ones are sure to have cost one
        assertThat(segment.requests()).isGreaterThanOrEqualTo(segment.accepted());
        assertThat(segment.firstAttemptPercent()).isBetween(80.0, 100.0);

        DeliverabilitySummary summary = DeliverabilitySummary.of(List.of(result));
        assertThat(summary.line()).startsWith("deliverability: first_attempt=").contains(" lost=0 ")
                .endsWith("retry_after_violations=n/a isolation=n/a");
        Path report = DeliverabilityReport.write(workDir.resolve("report"), List.of("test"), List.of(result), summary,
                settings);
        assertThat(Files.readString(report)).contains("| segment-webhook |", summary.line());
        assertThat(workDir.resolve("report/segment-deliverability.png")).isNotEmptyFile();
        assertThat(workDir.resolve("report/segment-throughput.png")).isNotEmptyFile();
    }
}
