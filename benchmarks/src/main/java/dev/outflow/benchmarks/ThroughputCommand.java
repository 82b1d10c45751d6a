package dev.outflow.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.JobSettings;
import dev.outflow.jobs.OutflowJob;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.cli.DurationConverter;
import dev.outflow.jobs.cli.OutflowCli;
import dev.outflow.jobs.local.LocalKafkaBroker;
import dev.outflow.schemas.catalog.DeliveryConfig;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import jdk.jfr.Recording;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code ./outflow bench throughput}: on one local broker and one pre-filled topic, (1) a Kafka-to-Kafka job that
 * parses and re-serializes the events (the ceiling of this machine) and (2) the real job delivering every event
 * to three healthy local batch endpoints (batches of 100), each {@code --rounds} times, in turn. Rates come from
 * the broker's append times of the output records (first to last), CPU from the process CPU time over the same
 * stretch; the closing line pools each job's runs.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Measure events/s, CPU per event and delivery latency of the real job against a Kafka-to-Kafka "
                + "passthrough job on the same broker and input.")
public final class ThroughputCommand implements Callable<Integer> {

    static final List<String> DESTINATIONS = List.of("warehouse", "analytics", "crm");
    static final String WARMUP_PREFIX = "warmup";
    /**
     * Checkpoints every 10 s, as a job in production would checkpoint at most (30 s to a minute is common): each
     * RocksDB checkpoint flushes the memtables, so checkpointing every 2 s (as the deliverability runs do, to
     * exercise restores) had RocksDB's compaction threads taking 15 µs per event.
     */
    static final long CHECKPOINT_INTERVAL_MS = 10_000;
    static final String MEASURED_PREFIX = "tp";

    @Option(names = "--events", defaultValue = "1000000",
            description = "measured input events, after the warm-up (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--rounds", defaultValue = "2",
            description = "how many times each job runs, in turn (passthrough first in odd rounds, the real job first "
                    + "in even ones); the closing line pools every run of each (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--jfr", description = "record the real job's last run with Java Flight Recorder (execution "
            + "samples every 10 ms) into this file, and print its hottest frames")
    Path jfr;

    @Option(names = "--warmup", defaultValue = "3000000",
            description = "events each job may process first, unmeasured, while the JIT compiles the hot paths; "
                    + "the measurement starts sooner once the JIT has gone quiet (0: no warm-up, the first 10%% of "
                    + "the outputs are left out; default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the events (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dedup-window", converter = DurationConverter.class,
            description = "the destinations' dedupWindow (default: the catalog's, 24h); 0ms sends repeats of a "
                    + "messageId again, as for endpoints that drop repeats by messageId themselves")
    Duration dedupWindow;

    @Spec
    CommandSpec spec;

    /**
     * One run's figures; latencies of -1 mean the run delivers nothing over HTTP. The p50 next to the p99 tells a
     * saturated run's queue (every event waits) from stragglers (a few wait).
     */
    record Figures(String name, long events, double eventsPerSecond, double cpuMicrosPerEvent, long p50LatencyMs,
            long p99LatencyMs, long notDelivered) {

        /** Seconds the measured stretch took. */
        double seconds() {
            return events / eventsPerSecond;
        }
    }

    /**
     * Several runs of one job taken as one long run: every measured event over every measured second, and the CPU
     * they took over every event. (Not a mean of the runs' rates, which would weigh a short fast stretch as much as
     * a long slow one.)
     */
    record Pooled(long events, double eventsPerSecond, double cpuMicrosPerEvent) {

        static Pooled of(List<Figures> runs) {
            long events = runs.stream().mapToLong(Figures::events).sum();
            double seconds = runs.stream().mapToDouble(Figures::seconds).sum();
            double cpuMicros = runs.stream().mapToDouble(run -> run.cpuMicrosPerEvent() * run.events()).sum();
            return new Pooled(events, events / seconds, cpuMicros / Math.max(1, events));
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (events < 1) {
            throw new OutflowCli.BadInputException("--events must be at least 1, got " + events);
        }
        if (rounds < 1) {
            throw new OutflowCli.BadInputException("--rounds must be at least 1, got " + rounds);
        }
        if (parallelism < 1) {
            throw new OutflowCli.BadInputException("--parallelism must be at least 1, got " + parallelism);
        }
        if (dedupWindow != null && dedupWindow.compareTo(Duration.ofMillis(DeliveryConfig.MAX_DEDUP_WINDOW_MS)) > 0) {
            throw new OutflowCli.BadInputException("--dedup-window must be at most 30 days, got " + dedupWindow);
        }
        if (warmup < 0) {
            throw new OutflowCli.BadInputException("--warmup must be 0 or more, got " + warmup);
        }
        if (jfr != null && jfr.toAbsolutePath().getParent() != null) {
            Files.createDirectories(jfr.toAbsolutePath().getParent());
        }
        Path workDir = Files.createTempDirectory("outflow-bench-throughput-");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir.resolve("kafka"))) {
            String input = "throughput-events";
            createTopics(broker, Map.of(input, 2), false);
            out.printf("outflow bench throughput: %d events, parallelism %d, %d cores, kafka %s, dedup window %s%n",
                    events, parallelism, Runtime.getRuntime().availableProcessors(), broker.bootstrapServers(),
                    (dedupWindow == null ? DeliveryConfig.DEFAULT_DEDUP_WINDOW_MS : dedupWindow.toMillis()) + "ms");
            // Warm-up events come first on the same topic, so each job runs them and then the measured events without
            // a restart: the measurement starts once the job is warm, as a long-running job is. (A warm-up in a
            // separate job run of 20,000 or 100,000 events left the JIT compiling through most of the measured run;
            // on two busy cores the compiler threads still took 30 µs per event after 400,000 events.)
            if (warmup > 0) {
                BenchEvents.produce(broker.bootstrapServers(), input, warmup, seed + 1, WARMUP_PREFIX);
            }
            BenchEvents.produce(broker.bootstrapServers(), input, events, seed, MEASURED_PREFIX);
            List<Figures> passthroughRuns = new ArrayList<>();
            List<Figures> realRuns = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // In turn, and the other way round in the next round: a machine that speeds up or slows down over
                // the invocation (its neighbours, its clock) favours neither job.
                boolean passthroughFirst = round % 2 == 1;
                for (boolean passthroughNow : new boolean[] {passthroughFirst, !passthroughFirst}) {
                    // the first run too, so that every run starts alike. (A first run still costs the broker more,
                    // for a reason not found: the passthrough's took 5.6-6.4 µs per event when it ran first, with
                    // and without this wait, and with the input read once before, against 3.2-4.4 when it ran
                    // second.)
                    JitQuiet.await(Duration.ofSeconds(60), broker.pid());
                    if (passthroughNow) {
                        passthroughRuns.add(print(out, passthrough(broker, input, workDir, out, round)));
                    } else {
                        realRuns.add(print(out, realJob(broker, input, workDir, out, round, round == rounds)));
                    }
                }
                Figures real = realRuns.get(realRuns.size() - 1);
                Figures passthrough = passthroughRuns.get(passthroughRuns.size() - 1);
                out.printf(Locale.ROOT, "  round %d of %d: ratio %.2f%n", round, rounds,
                        real.eventsPerSecond() / passthrough.eventsPerSecond());
            }
            if (jfr != null) {
                HotFrames.print(jfr, 15, out);
            }
            Pooled real = Pooled.of(realRuns);
            Pooled passthrough = Pooled.of(passthroughRuns);
            if (rounds > 1) {
                out.printf(Locale.ROOT, "  all %d rounds: outflow job %d events, passthrough %d events%n", rounds,
                        real.events(), passthrough.events());
            }
            out.printf(Locale.ROOT, "throughput: events_per_s=%.0f passthrough_events_per_s=%.0f ratio=%.2f "
                            + "cpu_us_per_event=%.1f%n", real.eventsPerSecond(), passthrough.eventsPerSecond(),
                    real.eventsPerSecond() / passthrough.eventsPerSecond(), real.cpuMicrosPerEvent());
            out.flush();
            return 0;
        } finally {
            BenchFolders.deleteRecursively(workDir);
        }
    }

    private static Figures print(PrintWriter out, Figures figures) {
        out.printf(Locale.ROOT, "  %-19s %8d events  %9.0f events/s  %6.1f cpu_us/event  delivery latency %s%n",
                figures.name(), figures.events(), figures.eventsPerSecond(), figures.cpuMicrosPerEvent(),
                figures.p99LatencyMs() < 0 ? "n/a"
                        : "p50 " + figures.p50LatencyMs() + " ms, p99 " + figures.p99LatencyMs() + " ms");
        out.flush();
        return figures;
    }

    /**
     * The passthrough run over the warm-up and the measured events. Each run has topics, a consumer group and
     * checkpoints of its own ({@code round} in their names), and reads the input from its start.
     */
    private Figures passthrough(LocalKafkaBroker broker, String input, Path workDir, PrintWriter out, int round)
            throws Exception {
        String group = "passthrough-" + round;
        String output = "throughput-" + group + "-out";
        createTopics(broker, Map.of(output, 2), true);
        JobSettings settings = settings(broker, input, group, output, "throughput-" + group + "-dead", workDir);
        StreamExecutionEnvironment env = DeliverabilityCommand.localEnvironment(parallelism);
        PassthroughJob.build(env, settings, output);
        Probe probe = new Probe(broker, output, warmup, events, 1, null, () -> 0);
        JobClient job = env.executeAsync("outflow-throughput-passthrough");
        try {
            probe.awaitOutputs(() -> null, out);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        probe.printCpuBreakdown(out, 8);
        return probe.figures("passthrough");
    }

    /**
     * The real job's run over the warm-up and the measured events, with topics, endpoints and state of its own;
     * recorded with JFR if asked and {@code recorded} (the last round's, the warmest).
     */
    private Figures realJob(LocalKafkaBroker broker, String input, Path workDir, PrintWriter out, int round,
            boolean recorded) throws Exception {
        String group = "outflow-" + round;
        String log = "throughput-" + group + "-delivery-log";
        String dead = "throughput-" + group + "-dead-letters";
        JobSettings settings = settings(broker, input, group, log, dead, workDir);
        createTopics(broker, Map.of(log, 2), true);
        createTopics(broker, Map.of(dead, 1, settings.retryTopic(), 2), false);
        Map<String, LocalHttpEndpoint> endpoints = new LinkedHashMap<>();
        try {
            Map<String, String> urls = new HashMap<>();
            List<BenchDestination> destinations = new ArrayList<>();
            for (String id : DESTINATIONS) {
                LocalHttpEndpoint endpoint = LocalHttpEndpoint.startCounting(id, EndpointBehavior.healthy());
                endpoints.put(id, endpoint);
                urls.put(id, endpoint.url("/" + id));
                // the catalog's default concurrency: at the deliverability scenarios' 4, a lane's backlog filled and
                // its batches went round through the retry topic (125 in a million events; 3 at 8)
                destinations.add(new BenchDestination(id, "healthy", false, EndpointBehavior.healthy(), 100, 5_000,
                        DeliveryConfig.DEFAULTS.maxConcurrency()));
            }
            BenchCatalog.Loaded catalog = BenchCatalog.load(destinations, urls, new TimeScale(1), dedupWindow);
            Probe probe = new Probe(broker, log, warmup, events, DESTINATIONS.size(),
                    () -> endpoints.values().stream().mapToLong(LocalHttpEndpoint::acceptedEvents).sum(),
                    () -> endpoints.values().stream().mapToLong(LocalHttpEndpoint::handlerCpuNanos).sum());
            JobClient job = OutflowJob.start(DeliverabilityCommand.localEnvironment(parallelism), settings,
                    catalog.catalog());
            try {
                Recording recording =
                        probe.awaitOutputs(() -> jfr == null || !recorded ? null : startRecording(), out);
                if (recording != null) {
                    recording.stop();
                    recording.dump(jfr);
                    recording.close();
                    out.println("  jfr recording of the real job: " + jfr);
                }
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            probe.printCpuBreakdown(out, 8);
            // a client that keeps its connections alive opens about one per request in flight, over the whole run
            out.printf("  http connections opened: %s (requests: %s)%n",
                    endpoints.values().stream().map(e -> e.name() + "=" + e.connections()).toList(),
                    endpoints.values().stream().mapToLong(LocalHttpEndpoint::requests).sum());
            long retried = recordCount(broker, settings.retryTopic());
            if (retried > 0) {
                out.printf("  note: %d batches went through the retry topic (deferred or retried)%n", retried);
            }
            Figures figures = probe.figures("outflow job");
            if (figures.notDelivered() > 0) {
                out.printf("  note: %d (event, destination) pairs of the measured stretch were not delivered%n",
                        figures.notDelivered());
            }
            return figures;
        } finally {
            endpoints.values().forEach(LocalHttpEndpoint::close);
        }
    }

    private static long recordCount(LocalKafkaBroker broker, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static Recording startRecording() {
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.setName("outflow-throughput");
        recording.start();
        return recording;
    }

    private JobSettings settings(LocalKafkaBroker broker, String input, String group, String log, String dead,
            Path workDir) throws java.io.IOException {
        return new JobSettings(Path.of("bench/destinations.yaml"), broker.bootstrapServers(), input, log, dead,
                "throughput-" + group, "earliest", RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
                CHECKPOINT_INTERVAL_MS,
                Files.createDirectories(workDir.resolve("checkpoints-" + group)).toUri().toString(), parallelism,
                256, false, Map.of()).withRetryTopic("throughput-" + group + "-retries");
    }

    /**
     * Output topics stamp records with the broker's append time, so both runs are timed by the same clock at the
     * same point (the record reaching Kafka).
     */
    private static void createTopics(LocalKafkaBroker broker, Map<String, Integer> topics, boolean appendTime)
            throws Exception {
        try (var admin = broker.admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            topics.forEach((name, partitions) -> newTopics.add(new NewTopic(name, partitions, (short) 1)
                    .configs(appendTime ? Map.of("message.timestamp.type", "LogAppendTime") : Map.of())));
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Times a run by its output topic. While the job runs it only watches the topic's end offsets (cheap, so the
     * measurement takes little CPU from the job): the process CPU time is sampled when the first outputs appear
     * and when all are there, less the benchmark's own work in the same process (this thread and the local
     * endpoints' request handling). Afterwards it reads the records for the broker's append times of the first and
     * the last one, and the delivery latencies the delivery log carries.
     */
    static final class Probe {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        static final int RAMP_UP_PERCENT = 10;
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final LocalKafkaBroker broker;
        private final String topic;
        private final long measuredOutputs;
        private final long warmupOutputs;
        /** Every output the input makes: the measured stretch ends here at the latest. */
        private final long totalOutputs;
        /** Outputs when the measured stretch started; -1 before. */
        private long measuredFrom = -1;
        /** Records on the topic when the measured stretch started. */
        private long recordsAtStart;
        private final int outputsPerEvent;
        /** (event, destination) pairs done so far; null when each record on the topic is one output. */
        private final LongSupplier progress;
        private final LongSupplier harnessCpuNanos;
        private long cpuStart = -1;
        private long cpuEnd;
        private long processCpuStart;
        private long processCpuEnd;
        private Map<Long, Long> threadCpuStart = Map.of();
        private Map<Long, Long> threadCpuEnd = Map.of();
        private final Map<Long, String> threadNames = new HashMap<>();
        private NativeThreadCpu nativeCpuStart;
        private NativeThreadCpu nativeCpuEnd;
        private MachineCpu machineStart;
        private MachineCpu machineEnd;
        private long outputsAtCpuStart;
        private long outputsAtCpuEnd;

        /**
         * Whether the measured stretch starts now, at {@code outputs}: once the JIT has gone quiet after at least a
         * tenth of the warm-up, at the latest after the whole warm-up; without a warm-up after the first
         * {@value #RAMP_UP_PERCENT}% of the outputs. The job's start-up (deploying its tasks, the JIT compiling
         * what it runs) is not the cost of events in a job that runs for days.
         */
        private boolean measurementStarts(long outputs, JitActivity jit) {
            if (warmupOutputs == 0) {
                return outputs >= Math.max(1, measuredOutputs * RAMP_UP_PERCENT / 100);
            }
            return outputs >= warmupOutputs || outputs >= warmupOutputs / 10 && jit.quiet();
        }

        /**
         * At most {@code warmupEvents} first events are left out, then {@code measuredEvents} are measured; each
         * event makes {@code outputsPerEvent} outputs: records on the topic, or, given {@code progress}, the
         * (event, destination) pairs it counts, with the topic holding delivery-log lines of several events each;
         * {@code harnessCpuNanos}: CPU the endpoints spent, to leave out.
         */
        Probe(LocalKafkaBroker broker, String topic, long warmupEvents, long measuredEvents, int outputsPerEvent,
                LongSupplier progress, LongSupplier harnessCpuNanos) {
            this.progress = progress;
            this.broker = broker;
            this.topic = topic;
            this.warmupOutputs = warmupEvents * outputsPerEvent;
            this.measuredOutputs = measuredEvents * outputsPerEvent;
            this.totalOutputs = warmupOutputs + measuredOutputs;
            this.outputsPerEvent = outputsPerEvent;
            this.harnessCpuNanos = harnessCpuNanos;
        }

        /**
         * Waits for every output; {@code startRecording} is called when the measured stretch starts, and what it
         * returns (a JFR recording, or null) is returned.
         */
        Recording awaitOutputs(java.util.function.Supplier<Recording> startRecording, PrintWriter out)
                throws InterruptedException {
            Recording recording = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            JitActivity jit = new JitActivity();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                List<TopicPartition> partitions = partitions(consumer);
                while (true) {
                    long records = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                    long outputs = progress == null ? records : progress.getAsLong();
                    long cpu = os.getProcessCpuTime() - THREADS.getCurrentThreadCpuTime() - harnessCpuNanos.getAsLong();
                    jit.sample();
                    if (cpuStart < 0 && measurementStarts(outputs, jit)) {
                        out.printf(Locale.ROOT, "  measuring from output %d (%d warm-up events; the JIT compiling "
                                + "%.0f ms/s)%n", outputs, outputs / outputsPerEvent, jit.millisPerSecond());
                        out.flush();
                        measuredFrom = outputs;
                        recordsAtStart = records;
                        cpuStart = cpu;
                        outputsAtCpuStart = outputs;
                        processCpuStart = os.getProcessCpuTime();
                        threadCpuStart = threadCpu();
                        nativeCpuStart = NativeThreadCpu.sample();
                        machineStart = MachineCpu.sample(broker.pid());
                        recording = startRecording.get();
                    }
                    if (cpuStart >= 0 && outputs >= Math.min(totalOutputs, measuredFrom + measuredOutputs)) {
                        cpuEnd = cpu;
                        outputsAtCpuEnd = outputs;
                        processCpuEnd = os.getProcessCpuTime();
                        threadCpuEnd = threadCpu();
                        nativeCpuEnd = NativeThreadCpu.sample();
                        machineEnd = MachineCpu.sample(broker.pid());
                        return recording;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + outputs + " outputs on " + topic
                                + " after 20 minutes (measuring from " + measuredFrom + ", " + measuredOutputs
                                + " to measure)");
                    }
                    Thread.sleep(20);
                }
            }
        }

        private Map<Long, Long> threadCpu() {
            Map<Long, Long> cpu = new HashMap<>();
            for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                if (info != null) {
                    long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                    if (nanos >= 0) {
                        cpu.put(info.getThreadId(), nanos);
                        threadNames.put(info.getThreadId(), info.getThreadName());
                    }
                }
            }
            return cpu;
        }

        /**
         * Where the process's CPU went over the measured stretch, in µs per event: Java threads grouped by name
         * (numbers dropped), and what no Java thread accounts for (garbage collection, JIT compilation, RocksDB's
         * native flush and compaction threads); then how busy the machine was, how much the hypervisor took, and
         * the broker's CPU per event ({@link MachineCpu}).
         */
        void printCpuBreakdown(PrintWriter out, int limit) {
            double events = Math.max(1, (outputsAtCpuEnd - outputsAtCpuStart) / (double) outputsPerEvent);
            Map<String, Long> byGroup = new HashMap<>();
            long javaThreads = 0;
            for (Map.Entry<Long, Long> end : threadCpuEnd.entrySet()) {
                long used = end.getValue() - threadCpuStart.getOrDefault(end.getKey(), 0L);
                javaThreads += used;
                String group = threadNames.get(end.getKey()).replaceAll("\\d+", "#");
                byGroup.merge(group.length() > 70 ? group.substring(0, 70) : group, used, Long::sum);
            }
            out.printf(Locale.ROOT, "  cpu by thread, us per event (process %.1f):%n",
                    (processCpuEnd - processCpuStart) / 1000.0 / events);
            byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                    .forEach(e -> out.printf(Locale.ROOT, "    %6.1f  %s%n", e.getValue() / 1000.0 / events, e.getKey()));
            out.printf(Locale.ROOT, "    %6.1f  (no Java thread: garbage collection, JIT, RocksDB native threads)%n",
                    (processCpuEnd - processCpuStart - javaThreads) / 1000.0 / events);
            if (nativeCpuStart != null && nativeCpuEnd != null) {
                nativeCpuEnd.nonJavaSince(nativeCpuStart, new java.util.HashSet<>(threadNames.values())).entrySet()
                        .stream().filter(e -> e.getValue() > 0)
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                        .forEach(e -> out.printf(Locale.ROOT, "    %6.1f    of which %s (linux thread name)%n",
                                e.getValue() / 1000.0 / events, e.getKey()));
            }
            if (machineStart != null && machineEnd != null) {
                out.println("  " + machineEnd.describeSince(machineStart, events));
            }
        }

        /**
         * Reads the outputs back: events/s from the append times of the measured stretch's outputs (in append-time
         * order, from the one that started it), CPU per event; then, for the delivery log, the p50 and p99 delivery
         * latency and the pairs not delivered among the records appended within the stretch.
         */
        Figures figures(String name) {
            return progress == null ? recordFigures(name) : deliveryLogFigures(name);
        }

        private double cpuMicrosPerEvent() {
            double cpuEvents = Math.max(1, (outputsAtCpuEnd - outputsAtCpuStart) / (double) outputsPerEvent);
            return (cpuEnd - cpuStart) / 1000.0 / cpuEvents;
        }

        /** One output per record. */
        private Figures recordFigures(String name) {
            long[] sorted = appendTimes();
            int from = (int) Math.min(Math.max(0, measuredFrom - 1), Math.max(0, sorted.length - 1));
            int to = (int) Math.max(from, Math.min(sorted.length - 1, from + measuredOutputs));
            double seconds = sorted.length == 0 ? 1 : Math.max(1, sorted[to] - sorted[from]) / 1000.0;
            long timed = Math.max(1, to - from);
            return new Figures(name, timed / outputsPerEvent, timed / (double) outputsPerEvent / seconds,
                    cpuMicrosPerEvent(), -1, -1, 0);
        }

        /**
         * Delivery-log lines of several events each: the stretch starts at the line appended when the measurement
         * started and ends at the line that completes the measured pairs.
         */
        private Figures deliveryLogFigures(String name) {
            long[] sorted = appendTimes();
            if (sorted.length == 0) {
                return new Figures(name, 0, 0, cpuMicrosPerEvent(), -1, -1, 0);
            }
            long startTime = sorted[(int) Math.min(Math.max(0, recordsAtStart - 1), sorted.length - 1)];
            List<JsonNode> lines = new ArrayList<>();
            List<Long> lineTimes = new ArrayList<>();
            readOutputs(record -> {
                if (record.timestamp() >= startTime) {
                    lines.add(Json.readTree(record.value()));
                    lineTimes.add(record.timestamp());
                }
            });
            Integer[] order = new Integer[lines.size()];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparing(lineTimes::get));
            long pairs = 0;
            long notDelivered = 0;
            long lastTime = startTime;
            List<Long> latencies = new ArrayList<>();
            // the first line is the one that started the stretch: its pairs were done before it
            for (int i = 1; i < order.length && pairs < measuredOutputs; i++) {
                JsonNode line = lines.get(order[i]);
                lastTime = lineTimes.get(order[i]);
                for (JsonNode event : line.path("events")) {
                    pairs++;
                    if ("DELIVERED".equals(line.path("status").asText())) {
                        latencies.add(event.path("latencyMs").asLong());
                    } else {
                        notDelivered++;
                    }
                }
            }
            double seconds = Math.max(1, lastTime - startTime) / 1000.0;
            long[] sortedLatencies = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Figures(name, pairs / outputsPerEvent, pairs / (double) outputsPerEvent / seconds,
                    cpuMicrosPerEvent(), Percentiles.of(sortedLatencies, 50), Percentiles.of(sortedLatencies, 99),
                    notDelivered);
        }

        private long[] appendTimes() {
            List<Long> appendTimes = new ArrayList<>();
            readOutputs(record -> appendTimes.add(record.timestamp()));
            return appendTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        }

        private void readOutputs(java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    consumer.poll(Duration.ofMillis(200)).forEach(each);
                }
            }
        }

        private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
            return consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        }

        private KafkaConsumer<byte[], byte[]> consumer() {
            return new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        }
    }

    /** Time the JIT compilers spent over the last few seconds, sampled by the probe's loop. */
    static final class JitActivity {
        private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
        /** Compiling under 2% of one core counts as quiet. */
        private static final double QUIET_MILLIS_PER_SECOND = 20;
        private final java.lang.management.CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();

        void sample() {
            if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
                return;
            }
            long now = System.nanoTime();
            samples.addLast(new long[] {now, compiler.getTotalCompilationTime()});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > WINDOW_NANOS) {
                samples.removeFirst();
            }
        }

        double millisPerSecond() {
            if (samples.size() < 2) {
                return Double.NaN;
            }
            long[] first = samples.peekFirst();
            long[] last = samples.peekLast();
            return (last[1] - first[1]) / Math.max(1e-3, (last[0] - first[0]) / 1e9);
        }

        /** Quiet once a whole window has been watched and the JIT compiled under the threshold in it. */
        boolean quiet() {
            return samples.size() >= 2 && samples.peekLast()[0] - samples.peekFirst()[0] >= WINDOW_NANOS * 9 / 10
                    && millisPerSecond() < QUIET_MILLIS_PER_SECOND;
        }
    }
}
