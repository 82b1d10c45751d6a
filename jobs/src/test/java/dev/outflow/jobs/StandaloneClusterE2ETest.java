package dev.outflow.jobs;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.local.DeliveryAccounting;
import dev.outflow.jobs.local.DemoTraffic;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.testing.FlinkRestClient;
import dev.outflow.jobs.testing.ListeningSockets;
import dev.outflow.jobs.testing.LocalKafkaExtension;
import dev.outflow.jobs.testing.StandaloneFlinkCluster;
import dev.outflow.schemas.event.Json;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job on a real standalone Flink cluster (JobManager and TaskManager in JVMs of their own, from Maven jars,
 * on 127.0.0.1), submitted as the shaded job jar exactly as a user submits it, against a real Kafka broker
 * process and real HTTP endpoints.
 *
 * <p>{@link #flinkRunSubmitsTheShadedJarLikeAUser}: {@code flink run -d} (Flink's own command-line client) runs
 * the job's main method in a client JVM and submits it. {@link #jobSurvivesTaskManagerKilledMidRunWithoutLosingEvents}:
 * the jar uploaded and run over the REST API, the {@code segment} profile (one endpoint answering 6.64% of
 * requests with 503), and the TaskManager killed with SIGKILL while traffic is still arriving; a new one starts.
 * The job must restore from its last checkpoint and account for every (event, destination) pair: delivered (and
 * really received by the endpoint), filtered or dead-lettered. Nothing may be lost. Events the endpoints accepted
 * twice (at-least-once over HTTP after a restore) are counted and reported.
 *
 * <p>Runs after {@code package} (it needs {@code jobs/target/outflow-job.jar}), under failsafe:
 * {@code mvn -B verify -pl jobs -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=StandaloneClusterE2ETest}.
 */
@ExtendWith(LocalKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneClusterE2ETest {

    /** System property naming the shaded job jar; failsafe sets it. */
    static final String JOB_JAR_PROPERTY = "outflow.job.jar";

    private static final int EVENTS = 4_000;
    private static final double EVENTS_PER_SECOND = 200;
    private static final int PARALLELISM = 2;
    private static final String SECRET = "e2e-warehouse-token-7f3a";
    private static final Map<String, String> SECRETS = Map.of("E2E_WAREHOUSE_TOKEN", SECRET);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    private static final String FORWARDER_FUNCTION = """
            // Posts every call to the endpoint in settings.url, as a typical destination function does.
            async function forward(event, settings) {
              const response = await fetch(settings.url, {method: 'POST',
                  headers: new Headers({'Content-Type': 'application/json'}), body: JSON.stringify(event)});
              if (response.status >= 500) {
                throw new RetryError('endpoint answered ' + response.status);
              }
            }
            async function onTrack(event, settings) { return forward(event, settings); }
            async function onIdentify(event, settings) { return forward(event, settings); }
            async function onPage(event, settings) { return forward(event, settings); }
            async function onScreen(event, settings) { return forward(event, settings); }
            async function onGroup(event, settings) { return forward(event, settings); }
            async function onAlias(event, settings) { return forward(event, settings); }
            """;

    private static Path jobJar;
    private static Path workDir;
    private static StandaloneFlinkCluster cluster;
    private static StandaloneFlinkCluster.TaskManager taskManager;
    private static boolean failed;

    @BeforeAll
    static void startCluster() throws Exception {
        jobJar = jobJar();
        workDir = Files.createDirectories(Paths.get("target", "cluster-e2e",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        cluster = StandaloneFlinkCluster.start(workDir.resolve("flink"), StandaloneFlinkCluster.Settings.forTests(),
                SECRETS);
        taskManager = cluster.startTaskManager();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        // a failed run keeps its folder (cluster logs, checkpoints) for a look; a passed one frees ~90 MB
        if (workDir != null && !failed) {
            deleteRecursively(workDir);
        }
    }

    @Test
    @Order(1)
    void flinkRunSubmitsTheShadedJarLikeAUser() throws Throwable {
        try {
            // Twice on the same TaskManager, as after an upgrade or a restart: each run gets a new user-code class
            // loader there, and GraalJS must load again in it.
            awaitTrue("the TaskManager's first metrics", () -> metaspaceUsed() > 0);
            long metaspaceBefore = metaspaceUsed();
            for (int run = 1; run <= 2; run++) {
                submitWithFlinkRun(run);
            }
            System.out.printf("cluster-e2e: TaskManager metaspace %d MB before and %d MB after two jobs with a "
                    + "function destination%n", metaspaceBefore >> 20, metaspaceUsed() >> 20);
        } catch (Throwable e) {
            failed = true;
            throw e;
        }
    }

    private void submitWithFlinkRun(int run) throws Exception {
        List<String> destinations = List.of("warehouse", "crm", "forwarder");
        try (LocalHttpEndpoint warehouse = LocalHttpEndpoint.start("warehouse", EndpointBehavior.healthy());
                LocalHttpEndpoint crm = LocalHttpEndpoint.start("crm", EndpointBehavior.healthy());
                LocalHttpEndpoint forwarded = LocalHttpEndpoint.start("forwarded", EndpointBehavior.healthy())) {
            Topics topics = Topics.create("cli" + run);
            DemoTraffic traffic = new DemoTraffic(new DemoTraffic.Spec(300, 0.01, 0.05, run,
                    List.of("Warehouse Webhook", "CRM Webhook", "Forwarder Function")));
            Expected expected = Expected.from(traffic.records(), destinations);
            traffic.produce(LocalKafkaExtension.bootstrapServers(), topics.input());
            // a JavaScript destination too: GraalJS must load from the job jar in Flink's user-code class loader
            Path code = Files.writeString(workDir.resolve("forward.js"), FORWARDER_FUNCTION);
            Path catalog = writeCatalog(workDir.resolve("cli-destinations-" + run + ".yaml"), warehouse, crm, """
                      - id: forwarder
                        name: Forwarder Function
                        type: function
                        code: %s
                        settings: {url: "%s"}
                    """.formatted(code, forwarded.url("/fn")));

            String jobId = cluster.flinkRun(jobJar, OutflowJob.class.getName(), jobArguments(topics, catalog), SECRETS);
            try (DeliveryAccounting accounting = topics.accounting(destinations)) {
                awaitTrue("job " + jobId + " fully RUNNING", () -> fullyRunning(cluster.rest(), jobId));
                awaitAccounted(accounting, expected);
                assertThat(lost(expected, accounting.outcomes())).as("run %d: pairs with no outcome", run).isEmpty();
                assertThat(warehouse.lastHeader("Authorization")).isEqualTo("Bearer " + SECRET);
                assertThat(forwarded.acceptedMessageIds()).as("run %d: the function's own requests", run)
                        .isEqualTo(delivered(accounting.outcomes(), "forwarder"));
                // Without a restart a duplicate needs a request that timed out on our side after the endpoint
                // took it (seen on a loaded machine): at-least-once allows it, so it is reported, not failed.
                System.out.printf("cluster-e2e flink run %d: duplicates warehouse=%d crm=%d forwarded=%d%n", run,
                        warehouse.duplicates(), crm.duplicates(), forwarded.duplicates());
                assertThat(cluster.rest().exceptions(jobId).path("exceptionHistory").path("entries"))
                        .as("run %d: the job never failed", run).isEmpty();
            } finally {
                cancelAndAwaitFreeSlots(jobId);
            }
        }
    }

    /** The TaskManager's metaspace in use (bytes), from its Flink metrics; 0 before they are reported. */
    private static long metaspaceUsed() {
        try {
            return cluster.rest().taskManagerMetrics(taskManager.resourceId(), "Status.JVM.Memory.Metaspace.Used")
                    .path(0).path("value").asLong();
        } catch (IOException notAnswering) {
            return 0;
        }
    }

    @Test
    @Order(2)
    void jobSurvivesTaskManagerKilledMidRunWithoutLosingEvents() throws Throwable {
        try {
            killTaskManagerMidRun();
        } catch (Throwable e) {
            failed = true;
            throw e;
        }
    }

    private void killTaskManagerMidRun() throws Exception {
        long testStarted = System.nanoTime();
        Topics topics = Topics.create("e2e");
        DemoTraffic traffic = new DemoTraffic(new DemoTraffic.Spec(EVENTS, 0.01, 0.05, 23L,
                List.of("Warehouse Webhook", "CRM Webhook")));
        List<String> destinations = List.of("warehouse", "crm");
        Expected expected = Expected.from(traffic.records(), destinations);

        try (LocalHttpEndpoint warehouse = LocalHttpEndpoint.start("warehouse", EndpointBehavior.healthy());
                LocalHttpEndpoint crm = LocalHttpEndpoint.start("crm",
                        EndpointBehavior.failingRandomly(0.0664, 503, 23L));
                DeliveryAccounting accounting = topics.accounting(destinations)) {
            Path catalog = writeCatalog(workDir.resolve("destinations.yaml"), warehouse, crm, "");
            StandaloneFlinkCluster.TaskManager first = taskManager;
            FlinkRestClient rest = cluster.rest();

            long submitStarted = System.nanoTime();
            String jarId = rest.uploadJar(jobJar);
            String jobId = rest.runJar(jarId, OutflowJob.class.getName(), jobArguments(topics, catalog), PARALLELISM);
            awaitTrue("job " + jobId + " fully RUNNING", () -> fullyRunning(rest, jobId));
            long runningAfterMs = millisSince(submitStarted);
            if (ListeningSockets.supported()) {
                for (long pid : List.of(cluster.jobManagerPid(), first.jvm().pid())) {
                    assertThat(ListeningSockets.listening(pid)).as("process %d listens", pid).isNotEmpty();
                    assertThat(ListeningSockets.nonLoopback(pid)).as("process %d listens on loopback only", pid)
                            .isEmpty();
                }
            }

            CompletableFuture<DemoTraffic.Produced> producing = CompletableFuture.supplyAsync(
                    () -> traffic.produce(LocalKafkaExtension.bootstrapServers(), topics.input(), EVENTS_PER_SECOND));

            // Kill once the job has made real progress (deliveries, and a completed checkpoint to restore from),
            // but while traffic is still arriving.
            awaitTrue("deliveries and a completed checkpoint before the kill", () -> {
                accounting.poll(Duration.ofMillis(100));
                return crm.acceptedMessageIds().size() >= expected.validEvents() / 10
                        && completedCheckpoints(rest, jobId) >= 2;
            });
            int acceptedBeforeKill = crm.acceptedMessageIds().size() + warehouse.acceptedMessageIds().size();
            assertThat(producing).as("traffic still arriving at the kill").isNotDone();

            // what the restore will go back to: the duplicates grow with the age of the last completed checkpoint
            long lastCheckpointAckedAt = rest.checkpoints(jobId).path("latest").path("completed")
                    .path("latest_ack_timestamp").asLong();
            long killedAt = System.nanoTime();
            long checkpointAgeMs = System.currentTimeMillis() - lastCheckpointAckedAt;
            int exitCode = cluster.kill(first);
            awaitTrue("the JobManager dropping the lost TaskManager",
                    () -> !registeredTaskManagers(rest).contains(first.resourceId()));
            long detectedMs = millisSince(killedAt);

            long replacementStarted = System.nanoTime();
            taskManager = cluster.startTaskManager();
            long registeredMs = millisSince(replacementStarted);
            awaitTrue("job " + jobId + " RUNNING again", () -> fullyRunning(rest, jobId));
            long backToRunningMs = millisSince(replacementStarted);
            long outageMs = millisSince(killedAt);

            DemoTraffic.Produced produced = producing.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(produced.events()).isEqualTo(EVENTS);
            awaitAccounted(accounting, expected);
            long finishedMs = millisSince(killedAt);
            JsonNode checkpoints = rest.checkpoints(jobId);
            cancelAndAwaitFreeSlots(jobId);

            Map<String, String> outcomes = accounting.outcomes();
            Set<String> lost = lost(expected, outcomes);
            Map<String, Integer> logRecordsPerPair = logRecordsPerPair(accounting.rawOutputs());
            long duplicatedOutputs = logRecordsPerPair.values().stream().filter(count -> count > 1).count();
            long duplicates = warehouse.duplicates() + crm.duplicates();
            long delivered = outcomes.values().stream().filter("DELIVERED"::equals).count();
            long crmDeadLettered = outcomes.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("crm/") && e.getValue().startsWith("DEAD_LETTERED")).count();

            System.out.printf("""
                    cluster-e2e: %d events (%d malformed) x %d destinations, %.0f events/s, parallelism %d
                      job RUNNING %d ms after submit; kill at %d accepted deliveries; TaskManager exit code %d
                      lost TaskManager noticed %d ms after SIGKILL; new TaskManager registered in %d ms
                      job RUNNING again %d ms after the new TaskManager started (%d ms after the kill)
                      last checkpoint completed %d ms before the kill; every pair accounted for %d ms after the kill
                      restored %s
                      endpoint warehouse: %d requests, %d duplicates; endpoint crm: %d requests, %d answered 503, \
                    %d duplicates
                      crm dead-lettered %d; duplicated delivery-log records %d
                    cluster-e2e: delivered=%d lost=%d duplicates=%d detect_ms=%d recover_ms=%d outage_ms=%d wall_s=%.1f
                    """, EVENTS, expected.malformed(), destinations.size(), EVENTS_PER_SECOND, PARALLELISM,
                    runningAfterMs, acceptedBeforeKill, exitCode, detectedMs, registeredMs, backToRunningMs, outageMs,
                    checkpointAgeMs, finishedMs, checkpoints.path("latest").path("restored"), warehouse.requests(),
                    warehouse.duplicates(), crm.requests(), crm.requestsWithStatus(503), crm.duplicates(),
                    crmDeadLettered, duplicatedOutputs, delivered, lost.size(), duplicates, detectedMs, backToRunningMs,
                    outageMs, (System.nanoTime() - testStarted) / 1e9);

            assertThat(exitCode).as("the TaskManager died of SIGKILL (128 + 9)").isEqualTo(137);
            assertThat(lost).as("(destination/messageId) pairs with no outcome").isEmpty();
            assertThat(accounting.snapshot().malformed()).as("malformed input dead-lettered")
                    .isEqualTo(expected.malformed());
            assertThat(checkpoints.path("counts").path("restored").asLong()).as("restores from a checkpoint")
                    .isGreaterThanOrEqualTo(1);
            assertThat(checkpoints.path("latest").path("restored").path("is_savepoint").asBoolean(true)).isFalse();
            assertThat(duplicatedOutputs).as("delivery-log records per pair with exactly-once outputs").isZero();
            Map<String, LocalHttpEndpoint> endpoints = Map.of("warehouse", warehouse, "crm", crm);
            outcomes.forEach((pair, outcome) -> {
                if (outcome.equals("DELIVERED")) {
                    String destination = pair.substring(0, pair.indexOf('/'));
                    assertThat(endpoints.get(destination).acceptedMessageIds()).as("endpoint received " + pair)
                            .contains(pair.substring(pair.indexOf('/') + 1));
                }
            });
            assertThat(crm.requestsWithStatus(503)).as("the segment profile failed requests").isPositive();
            assertThat(accounting.deadLetters()).as("503s are retried until delivered; only malformed input is "
                    + "dead-lettered").allSatisfy(letter -> assertThat(letter.path("kind").asText())
                            .isEqualTo("malformed"));
            for (byte[] output : accounting.rawOutputs()) {
                assertThat(new String(output, StandardCharsets.UTF_8)).as("no secret in any output")
                        .doesNotContain(SECRET);
            }
            assertThat(warehouse.lastHeader("Authorization")).as("the secret reached the cluster")
                    .isEqualTo("Bearer " + SECRET);
        }
    }

    /** The program arguments a user gives {@code flink run}: every topic, checkpoints each second, exactly-once. */
    private static List<String> jobArguments(Topics topics, Path catalog) {
        return List.of(
                "--config", catalog.toString(),
                "--bootstrap-servers", LocalKafkaExtension.bootstrapServers(),
                "--input-topic", topics.input(),
                "--delivery-log-topic", topics.deliveryLog(),
                "--dead-letter-topic", topics.deadLetters(),
                "--retry-topic", topics.retries(),
                "--group-id", "group-" + topics.input(),
                "--starting-offsets", "earliest",
                "--checkpoint-interval", "1s",
                "--checkpoint-dir", workDir.resolve("checkpoints").toUri().toString(),
                "--parallelism", String.valueOf(PARALLELISM),
                "--exactly-once-outputs");
    }

    /** Cancels a job and waits until its slots are free again, so the next test finds the cluster idle. */
    private static void cancelAndAwaitFreeSlots(String jobId) throws Exception {
        cluster.rest().cancel(jobId);
        awaitTrue("job " + jobId + " cancelled and its slots free", () -> {
            try {
                JsonNode overview = cluster.rest().overview();
                return overview.path("slots-available").asInt() == overview.path("slots-total").asInt()
                        && "CANCELED".equals(cluster.rest().jobState(jobId));
            } catch (IOException notAnswering) {
                return false;
            }
        });
    }

    private static void awaitAccounted(DeliveryAccounting accounting, Expected expected) throws InterruptedException {
        long wanted = expected.pairs().size() + expected.malformed();
        awaitTrue("every pair accounted for in the job's outputs", () -> {
            accounting.poll(Duration.ofMillis(500));
            DeliveryAccounting.Snapshot snapshot = accounting.snapshot();
            return snapshot.accounted() >= wanted && snapshot.deadLettersCaughtUp();
        });
    }

    private static Set<String> delivered(Map<String, String> outcomes, String destination) {
        Set<String> ids = new HashSet<>();
        outcomes.forEach((pair, outcome) -> {
            if (outcome.equals("DELIVERED") && pair.startsWith(destination + "/")) {
                ids.add(pair.substring(destination.length() + 1));
            }
        });
        return ids;
    }

    private static Set<String> lost(Expected expected, Map<String, String> outcomes) {
        Set<String> lost = new HashSet<>(expected.pairs());
        lost.removeAll(outcomes.keySet());
        return lost;
    }

    /** One test's topics; the retry topic is left to the job, which creates it when missing, as for a user. */
    private record Topics(String input, String deliveryLog, String deadLetters, String retries) {

        static Topics create(String prefix) throws InterruptedException {
            Topics topics = new Topics(LocalKafkaExtension.uniqueTopic(prefix + "-events"),
                    LocalKafkaExtension.uniqueTopic(prefix + "-delivery-log"),
                    LocalKafkaExtension.uniqueTopic(prefix + "-dead-letters"),
                    LocalKafkaExtension.uniqueTopic(prefix + "-retries"));
            LocalKafkaExtension.broker().createTopics(Map.of(topics.input(), 2, topics.deliveryLog(), 2,
                    topics.deadLetters(), 1));
            return topics;
        }

        DeliveryAccounting accounting(List<String> destinations) {
            return new DeliveryAccounting(LocalKafkaExtension.bootstrapServers(), deliveryLog, deadLetters,
                    destinations, true);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** The catalog: a batching webhook with a secret header, a single-event webhook with short retries, and more. */
    private static Path writeCatalog(Path file, LocalHttpEndpoint warehouse, LocalHttpEndpoint crm,
            String moreDestinations) throws IOException {
        return Files.writeString(file, """
                destinations:
                  - id: warehouse
                    name: Warehouse Webhook
                    type: webhook
                    endpoint: %s
                    headers:
                      Authorization: "Bearer ${env:E2E_WAREHOUSE_TOKEN}"
                    batching: {maxEvents: 50, maxWait: 200ms, shards: 2}
                    delivery: {timeout: 5s, maxConcurrency: 4}
                  - id: crm
                    name: CRM Webhook
                    type: webhook
                    endpoint: %s
                    delivery:
                      timeout: 5s
                      maxConcurrency: 8
                      retry: {initialWait: 200ms, maxWait: 2s}
                """.formatted(warehouse.url("/batch"), crm.url("/events")) + moreDestinations);
    }

    /** Delivery-log mentions per {@code destination/messageId} (a line lists every event of a request). */
    private static Map<String, Integer> logRecordsPerPair(List<byte[]> outputs) {
        Map<String, Integer> counts = new HashMap<>();
        for (byte[] output : outputs) {
            JsonNode record = Json.readTree(output);
            if (record.has("status")) {
                for (JsonNode event : DeliveryAccounting.eventsOf(record)) {
                    counts.merge(event.path("destinationId").asText() + "/" + event.path("messageId").asText(), 1,
                            Integer::sum);
                }
            }
        }
        return counts;
    }

    /**
     * The jar failsafe names after {@code package}. Without the property (surefire with {@code -Dtest}, before
     * {@code package}, or an IDE) the test is skipped rather than run against a stale or missing jar.
     */
    private static Path jobJar() {
        String configured = System.getProperty(JOB_JAR_PROPERTY);
        assumeTrue(configured != null, "runs under failsafe after package (mvn verify); an IDE run needs -D"
                + JOB_JAR_PROPERTY + "=jobs/target/outflow-job.jar");
        Path jar = Paths.get(configured);
        assertThat(jar).as("the shaded job jar (built by mvn package)").isRegularFile();
        return jar.toAbsolutePath();
    }

    private static boolean fullyRunning(FlinkRestClient rest, String jobId) {
        try {
            return rest.fullyRunning(jobId);
        } catch (IOException notAnsweringYet) {
            return false;
        }
    }

    private static List<String> registeredTaskManagers(FlinkRestClient rest) {
        try {
            return rest.taskManagerIds();
        } catch (IOException notAnswering) {
            return List.of();
        }
    }

    private static long completedCheckpoints(FlinkRestClient rest, String jobId) {
        try {
            return rest.checkpoints(jobId).path("counts").path("completed").asLong();
        } catch (IOException notAnswering) {
            return 0;
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(condition::getAsBoolean);
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** The pairs the generated input must produce, worked out from the input alone. */
    private record Expected(Set<String> pairs, int malformed, int validEvents) {

        static Expected from(List<DemoTraffic.Record> records, List<String> destinations) {
            Set<String> pairs = new HashSet<>();
            int malformed = 0;
            int valid = 0;
            for (DemoTraffic.Record record : records) {
                if (record.malformed()) {
                    malformed++;
                    continue;
                }
                for (JsonNode event : record.parsedEvents()) {
                    valid++;
                    for (String destination : destinations) {
                        pairs.add(destination + "/" + event.path("messageId").asText());
                    }
                }
            }
            return new Expected(pairs, malformed, valid);
        }
    }
}
