package dev.outflow.jobs.cli;

import dev.outflow.jobs.JobSettings;
import dev.outflow.jobs.OutflowJob;
import dev.outflow.jobs.local.DeliveryAccounting;
import dev.outflow.jobs.local.DemoTraffic;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.local.LocalKafkaBroker;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code outflow demo}: the whole system on this machine with no set-up. A real Kafka broker in its own process,
 * the job on a Flink MiniCluster with its Web UI, two local endpoints (one healthy, one answering 6.64% of
 * requests with 503, Segment's published example), and a generator of realistic Segment events. It accounts for
 * every event from the job's Kafka outputs and stops everything it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run Outflow end to end on this machine: local Kafka broker, Flink MiniCluster with Web UI, "
                + "two local HTTP destinations and a Segment event generator; then account for every event.")
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--events", defaultValue = "20000", description = "events to generate (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--malformed-rate", defaultValue = "0.01",
            description = "share of malformed input records (default: ${DEFAULT-VALUE})")
    double malformedRate;

    @Option(names = "--failure-rate", defaultValue = "0.0664",
            description = "share of requests the CRM endpoint answers with 503 (default: ${DEFAULT-VALUE})")
    double failureRate;

    @Option(names = "--web-ui-port", defaultValue = "8081",
            description = "Flink Web UI port on 127.0.0.1; a free one is used if taken (default: ${DEFAULT-VALUE})")
    int webUiPort;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the generator (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--stall-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "give up when no output arrives for this long (default: ${DEFAULT-VALUE})")
    Duration stallTimeout;

    @Option(names = "--keep-files", description = "keep the work folder (broker data and logs, checkpoints)")
    boolean keepFiles;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (events < 1) {
            throw new OutflowCli.BadInputException("--events must be at least 1, got " + events);
        }
        if (malformedRate < 0 || malformedRate >= 1 || failureRate < 0 || failureRate > 1) {
            throw new OutflowCli.BadInputException("--malformed-rate must be in [0, 1) and --failure-rate in [0, 1]");
        }
        Path workDir = Files.createTempDirectory("outflow-demo-");
        long started = System.nanoTime();
        try {
            return run(workDir, started);
        } finally {
            if (keepFiles) {
                out.println("work folder kept: " + workDir);
            } else {
                deleteRecursively(workDir);
            }
        }
    }

    private int run(Path workDir, long started) throws Exception {
        out.println("outflow demo: " + events + " events, everything on 127.0.0.1");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir.resolve("kafka"));
                LocalHttpEndpoint warehouse = LocalHttpEndpoint.start("warehouse", EndpointBehavior.healthy());
                LocalHttpEndpoint crm = LocalHttpEndpoint.start("crm",
                        EndpointBehavior.failingRandomly(failureRate, 503, seed))) {
            out.printf("  kafka broker 4.2 (pid %d) at %s%n", broker.pid(), broker.bootstrapServers());
            out.printf("  endpoint warehouse (healthy)        %s%n", warehouse.url("/batch"));
            out.printf("  endpoint crm (%.2f%% answered 503)   %s%n", failureRate * 100, crm.url("/events"));

            DestinationCatalog catalog = demoCatalog(Map.of(
                    "DEMO_WAREHOUSE_URL", warehouse.url("/batch"),
                    "DEMO_CRM_URL", crm.url("/events"),
                    "DEMO_WAREHOUSE_TOKEN", "demo-" + Long.toHexString(seed * 0x9E3779B97F4A7C15L)));
            for (DestinationConfig destination : catalog.destinations()) {
                out.printf("  destination %-17s %-8s headers %s%n", destination.id(),
                        destination.enabled() ? "enabled" : "disabled", destination.maskedHeaders());
            }
            JobSettings settings = new JobSettings(Path.of("demo/destinations.yaml"), broker.bootstrapServers(),
                    JobSettings.DEFAULT_INPUT_TOPIC, JobSettings.DEFAULT_DELIVERY_LOG_TOPIC,
                    JobSettings.DEFAULT_DEAD_LETTER_TOPIC, "outflow-demo", "earliest",
                    RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER, 2_000,
                    workDir.resolve("checkpoints").toUri().toString(), 2, 256, false, Map.of());
            broker.createTopics(Map.of(settings.inputTopic(), 2, settings.deliveryLogTopic(), 2,
                    settings.deadLetterTopic(), 1, settings.retryTopic(), 2));

            int uiPort = portOrFree(webUiPort);
            Configuration flink = OutflowJob.localClusterConfiguration();
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            flink.set(RestOptions.ADDRESS, "127.0.0.1");
            flink.set(RestOptions.PORT, uiPort);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            JobClient job = OutflowJob.start(env, settings, catalog);
            out.printf("  flink job %s on a MiniCluster; Web UI: http://127.0.0.1:%d%n", job.getJobID(), uiPort);

            List<String> destinationIds = catalog.destinations().stream().map(DestinationConfig::id).toList();
            DemoTraffic traffic = new DemoTraffic(new DemoTraffic.Spec(events, malformedRate, 0.05, seed,
                    catalog.destinations().stream().map(DestinationConfig::name).toList()));
            CompletableFuture<DemoTraffic.Produced> producing = CompletableFuture.supplyAsync(
                    () -> traffic.produce(broker.bootstrapServers(), settings.inputTopic()));

            DeliveryAccounting.Snapshot result;
            try (DeliveryAccounting accounting = new DeliveryAccounting(broker.bootstrapServers(),
                    settings.deliveryLogTopic(), settings.deadLetterTopic(), destinationIds)) {
                result = follow(accounting, producing, destinationIds.size(), started);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            DemoTraffic.Produced produced = producing.get();
            printReport(result, produced, destinationIds, Map.of("warehouse", warehouse, "crm", crm));
            long lost = result.expected(produced.events(), destinationIds.size()) - result.accounted();
            return lost == 0 ? 0 : 1;
        }
    }

    /** Polls the outputs and prints a live line until every pair is accounted for or nothing arrives any more. */
    private DeliveryAccounting.Snapshot follow(DeliveryAccounting accounting,
            CompletableFuture<DemoTraffic.Produced> producing, int destinations, long started) {
        boolean live = System.console() != null;
        long lastProgress = System.nanoTime();
        long lastPrint = 0;
        while (true) {
            int read = accounting.poll(Duration.ofMillis(250));
            long now = System.nanoTime();
            if (read > 0) {
                lastProgress = now;
            }
            DeliveryAccounting.Snapshot snapshot = accounting.snapshot();
            boolean produced = producing.isDone() && !producing.isCompletedExceptionally();
            long expected = produced ? snapshot.expected(producing.join().events(), destinations) : Long.MAX_VALUE;
            boolean complete = snapshot.accounted() >= expected && snapshot.deadLettersCaughtUp();
            if (complete || now - lastPrint > (live ? 250_000_000L : 5_000_000_000L)) {
                lastPrint = now;
                String line = progressLine(snapshot, produced ? producing.join().events() : -1, started);
                out.print(live ? "\r" + line + "   " : line + System.lineSeparator());
                out.flush();
            }
            if (producing.isCompletedExceptionally()) {
                out.println();
                producing.join();
            }
            if (complete) {
                if (live) {
                    out.println();
                }
                return snapshot;
            }
            if (now - lastProgress > stallTimeout.toNanos()) {
                out.println();
                out.println("no output for " + stallTimeout.toSeconds() + " s: stopping and counting what is missing");
                return snapshot;
            }
        }
    }

    private static String progressLine(DeliveryAccounting.Snapshot snapshot, int in, long started) {
        StringBuilder line = new StringBuilder(String.format("[%5.1fs] in=%s", (System.nanoTime() - started) / 1e9,
                in < 0 ? "..." : String.valueOf(in)));
        snapshot.destinations().forEach((id, counts) -> line.append(String.format(
                " | %s delivered=%d failed=%d dead_lettered=%d", id, counts.delivered(),
                counts.deadLetteredRetryable(), counts.deadLettered())));
        line.append(" | malformed=").append(snapshot.malformed());
        return line.toString();
    }

    private void printReport(DeliveryAccounting.Snapshot result, DemoTraffic.Produced produced,
            List<String> destinationIds, Map<String, LocalHttpEndpoint> endpoints) {
        long valid = produced.events() - result.malformed();
        out.println();
        out.printf("%-18s %8s %10s %9s %14s %10s %6s%n", "destination", "events", "delivered", "filtered",
                "dead_lettered", "retryable", "lost");
        result.destinations().forEach((id, counts) -> out.printf("%-18s %8d %10d %9d %14d %10d %6d%n", id, valid,
                counts.delivered(), counts.filtered(), counts.deadLettered(), counts.deadLetteredRetryable(),
                valid - counts.delivered() - counts.filtered() - counts.deadLettered()));
        out.printf("%-18s %8d %10s %9s %14d %10s %6s%n", "(malformed input)", result.malformed(), "-", "-",
                result.malformed(), "-", "-");
        out.println();
        result.destinations().forEach((id, counts) -> {
            if (!counts.filteredByRule().isEmpty()) {
                out.printf("filtered for %s by rule: %s%n", id, counts.filteredByRule());
            }
            if (!counts.deadLetterReasons().isEmpty()) {
                out.printf("dead-lettered for %s: %s%n", id, counts.deadLetterReasons());
            }
        });
        endpoints.forEach((id, endpoint) -> out.printf(
                "endpoint %s: %d requests, %d distinct events accepted, %d duplicates, %d answered 503%n", id,
                endpoint.requests(), endpoint.acceptedMessageIds().size(), endpoint.duplicates(),
                endpoint.requestsWithStatus(503)));
        long expected = result.expected(produced.events(), destinationIds.size());
        long lost = expected - result.accounted();
        out.printf("accounting: %d valid events x %d destinations + %d malformed = %d outcomes; "
                + "dead letters written for undeliverable pairs: %d%n", valid, destinationIds.size(),
                result.malformed(), expected, result.undeliverableLetters());
        out.printf("summary: in=%d delivered=%d filtered=%d dead_lettered=%d lost=%d%n", produced.events(),
                result.delivered(), result.filtered(), result.deadLettered(), lost);
    }

    static DestinationCatalog demoCatalog(Map<String, String> variables) throws IOException {
        try (InputStream yaml = DemoCommand.class.getResourceAsStream("/demo/destinations.yaml")) {
            if (yaml == null) {
                throw new IOException("demo/destinations.yaml is missing from the jar");
            }
            String text = new String(yaml.readAllBytes(), StandardCharsets.UTF_8);
            return new CatalogLoader(variables::get).parse("demo/destinations.yaml", text, false);
        }
    }

    private static int portOrFree(int wanted) throws IOException {
        try (ServerSocket socket = new ServerSocket(wanted, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException taken) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
