package dev.outflow.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.JobSettings;
import dev.outflow.jobs.OutflowJob;
import dev.outflow.jobs.local.DeliveryAccounting;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.local.LocalKafkaBroker;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one scenario: starts its endpoints, fills a fresh input topic, submits the real job (Kafka source, the
 * whole topology, Kafka sinks) to a fresh Flink environment, and reads the delivery log and dead letters back
 * until every event is accounted for for every destination, or until the time bound (the compressed retry window
 * plus a minute). Then it stops the job and the endpoints and puts the figures together.
 */
final class ScenarioRun {

    /** Beyond the compressed retry window, how long a run may take before it is cut and counted as is. */
    static final Duration SLACK = Duration.ofSeconds(60);

    /** What every scenario of an invocation shares. */
    record Settings(int events, TimeScale scale, long seed, int parallelism, Path workDir) {}

    private final LocalKafkaBroker broker;
    private final Supplier<StreamExecutionEnvironment> environments;
    private final Settings settings;
    private final PrintWriter out;

    ScenarioRun(LocalKafkaBroker broker, Supplier<StreamExecutionEnvironment> environments, Settings settings,
            PrintWriter out) {
        this.broker = broker;
        this.environments = environments;
        this.settings = settings;
        this.out = out;
    }

    ScenarioResult run(Profile.Scenario scenario) throws Exception {
        return run(scenario, null);
    }

    /**
     * As {@link #run(Profile.Scenario)}, but stopped after {@code atMost} (null: no limit but the time bound) with
     * whatever is accounted for by then: for warm-up runs.
     */
    ScenarioResult run(Profile.Scenario scenario, Duration atMost) throws Exception {
        Map<String, LocalHttpEndpoint> endpoints = new LinkedHashMap<>();
        try {
            Map<String, String> urls = new HashMap<>();
            for (BenchDestination destination : scenario.destinations()) {
                // the endpoints share the machine with the job: reading only messageIds leaves it the CPU
                LocalHttpEndpoint endpoint =
                        LocalHttpEndpoint.startReadingIdsOnly(destination.id(), destination.behavior());
                endpoints.put(destination.id(), endpoint);
                urls.put(destination.id(), endpoint.url("/" + destination.id()));
            }
            BenchCatalog.Loaded catalog = BenchCatalog.load(scenario.destinations(), urls, settings.scale());
            return run(scenario, catalog, endpoints, atMost);
        } finally {
            endpoints.values().forEach(LocalHttpEndpoint::close);
        }
    }

    private ScenarioResult run(Profile.Scenario scenario, BenchCatalog.Loaded catalog,
            Map<String, LocalHttpEndpoint> endpoints, Duration atMost) throws Exception {
        String prefix = "bench-" + scenario.name() + "-" + System.currentTimeMillis();
        JobSettings job = new JobSettings(Path.of("bench/destinations.yaml"), broker.bootstrapServers(),
                prefix + "-events", prefix + "-delivery-log", prefix + "-dead-letters", prefix, "earliest",
                RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER, 2_000,
                Files.createDirectories(settings.workDir().resolve(prefix)).toUri().toString(),
                settings.parallelism(), 256, false, Map.of()).withRetryTopic(prefix + "-retries");
        broker.createTopics(Map.of(job.inputTopic(), 2, job.deliveryLogTopic(), 2, job.deadLetterTopic(), 1,
                job.retryTopic(), 2));
        BenchEvents.produce(broker.bootstrapServers(), job.inputTopic(), events(scenario), settings.seed(),
                scenario.name());
        double waited = JitQuiet.await(Duration.ofSeconds(60), broker.pid());
        if (waited > 5) {
            out.printf(Locale.ROOT, "  (waited %.0f s for the JIT compilers to go quiet)%n", waited);
        }

        List<String> ids = new ArrayList<>(endpoints.keySet());
        Outputs outputs = new Outputs();
        long bound = settings.scale().ms(BenchCatalog.RETRY_WINDOW) + SLACK.toMillis();
        if (atMost != null) {
            bound = Math.min(bound, atMost.toMillis());
        }
        long submitted = System.currentTimeMillis();
        JobClient client = OutflowJob.start(environments.get(), job, catalog.catalog());
        boolean completed;
        try (DeliveryAccounting accounting = new DeliveryAccounting(broker.bootstrapServers(),
                job.deliveryLogTopic(), job.deadLetterTopic(), ids).listener(outputs)) {
            completed = follow(scenario, accounting, submitted, submitted + bound, atMost != null);
        } finally {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
        long durationMs = System.currentTimeMillis() - submitted;
        return figures(scenario, catalog.retrySettingsApplied(), completed, durationMs, endpoints, outputs);
    }

    /** Events per destination in {@code scenario}'s run: {@code --events}, or more for the isolation figure. */
    private int events(Profile.Scenario scenario) {
        return scenario.profile().eventsPerRun(settings.events());
    }

    private boolean follow(Profile.Scenario scenario, DeliveryAccounting accounting, long started, long deadline,
            boolean cutShort) {
        long lastPrint = System.currentTimeMillis();
        while (true) {
            accounting.poll(Duration.ofMillis(200));
            DeliveryAccounting.Snapshot snapshot = accounting.snapshot();
            long owed = (long) events(scenario) * snapshot.destinations().size();
            boolean complete = snapshot.accounted() >= owed && snapshot.deadLettersCaughtUp();
            long now = System.currentTimeMillis();
            if (complete || now >= deadline || now - lastPrint >= 5_000) {
                lastPrint = now;
                out.printf("  [%5.1fs] %-10s accounted %d of %d (delivered %d, dead-lettered %d)%n",
                        (now - started) / 1e3, scenario.name(), snapshot.accounted(), owed, snapshot.delivered(),
                        snapshot.deadLettered());
                out.flush();
            }
            if (complete) {
                return true;
            }
            if (now >= deadline) {
                if (cutShort) {
                    return false;
                }
                out.printf("  %s: time bound reached (compressed retry window + %d s); counting what is missing%n",
                        scenario.name(), SLACK.toSeconds());
                return false;
            }
        }
    }

    private ScenarioResult figures(Profile.Scenario scenario, boolean retrySettingsApplied, boolean completed,
            long durationMs, Map<String, LocalHttpEndpoint> endpoints, Outputs outputs) {
        long firstRequest = endpoints.values().stream()
                .flatMap(endpoint -> endpoint.requestLog().stream())
                .mapToLong(LocalHttpEndpoint.Request::receivedAtMs).min().orElse(0);
        List<DestinationFigures> figures = new ArrayList<>();
        Map<String, long[]> firstAccepted = new LinkedHashMap<>();
        Map<String, long[]> acceptedAt = new LinkedHashMap<>();
        for (BenchDestination destination : scenario.destinations()) {
            LocalHttpEndpoint endpoint = endpoints.get(destination.id());
            Set<String> accepted = endpoint.acceptedMessageIds();
            Set<String> delivered = outputs.delivered(destination.id());
            Set<String> dead = outputs.deadLettered(destination.id());
            Set<String> filtered = outputs.filtered(destination.id());
            long sent = 0;
            long lost = 0;
            long pending = 0;
            for (int n = 0; n < events(scenario); n++) {
                String messageId = BenchEvents.messageId(scenario.name(), n);
                if (filtered.contains(messageId)) {
                    continue;
                }
                sent++;
                if (accepted.contains(messageId) || dead.contains(messageId)) {
                    continue;
                }
                if (delivered.contains(messageId)) {
                    lost++;
                } else {
                    pending++;
                }
            }
            long unconfirmed = delivered.stream().filter(id -> !accepted.contains(id)).count();
            long[] latencies = outputs.latencies(destination.id());
            long[] firsts = endpoint.firstAcceptedAt().values().stream().mapToLong(t -> t - firstRequest).sorted()
                    .toArray();
            long[] all = endpoint.requestLog().stream()
                    .flatMapToLong(request -> java.util.stream.LongStream.generate(
                            () -> request.answeredAtMs() - firstRequest).limit(request.accepted()))
                    .sorted().toArray();
            firstAccepted.put(destination.id(), firsts);
            acceptedAt.put(destination.id(), all);
            double perSecond = all.length == 0 || all[all.length - 1] <= 0
                    ? 0 : accepted.size() * 1000.0 / all[all.length - 1];
            figures.add(new DestinationFigures(destination.id(), destination.role(), destination.faulty(), sent,
                    endpoint.requests(), endpoint.acceptedOnFirstAttempt(), accepted.size(), delivered.size(),
                    unconfirmed, dead.size(), lost, pending, endpoint.duplicates(),
                    endpoint.retryAfterViolations(), Percentiles.of(latencies, 50), Percentiles.of(latencies, 99),
                    perSecond));
        }
        return new ScenarioResult(scenario.name(), scenario.description(), events(scenario), retrySettingsApplied,
                completed, durationMs, figures, firstAccepted, acceptedAt);
    }

    /** What the job wrote, per destination: delivered, filtered and dead-lettered messageIds, and latencies. */
    private static final class Outputs implements DeliveryAccounting.OutputListener {
        private final Map<String, Set<String>> delivered = new HashMap<>();
        private final Map<String, Set<String>> filtered = new HashMap<>();
        private final Map<String, Set<String>> deadLettered = new HashMap<>();
        private final Map<String, Map<String, Long>> latencies = new HashMap<>();

        @Override
        public void onDeliveryLog(JsonNode record, long kafkaTimestamp) {
            String destination = record.path("destinationId").asText();
            String messageId = record.path("messageId").asText();
            switch (record.path("status").asText()) {
                case "DELIVERED" -> {
                    delivered(destination).add(messageId);
                    // keyed by messageId: an at-least-once replay of the log must not count twice
                    latencies.computeIfAbsent(destination, d -> new HashMap<>())
                            .putIfAbsent(messageId, record.path("latencyMs").asLong());
                }
                case "FILTERED" -> filtered(destination).add(messageId);
                default -> { }
            }
        }

        @Override
        public void onDeadLetter(JsonNode record, long kafkaTimestamp) {
            if ("undeliverable".equals(record.path("kind").asText())) {
                deadLettered(record.path("destinationId").asText()).add(record.path("messageId").asText());
            }
        }

        Set<String> delivered(String destination) {
            return delivered.computeIfAbsent(destination, d -> new HashSet<>());
        }

        Set<String> filtered(String destination) {
            return filtered.computeIfAbsent(destination, d -> new HashSet<>());
        }

        Set<String> deadLettered(String destination) {
            return deadLettered.computeIfAbsent(destination, d -> new HashSet<>());
        }

        long[] latencies(String destination) {
            long[] values = latencies.getOrDefault(destination, Map.of()).values().stream().mapToLong(Long::longValue)
                    .toArray();
            Arrays.sort(values);
            return values;
        }
    }
}
