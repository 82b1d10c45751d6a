package dev.outflow.benchmarks;

import dev.outflow.jobs.OutflowJob;
import dev.outflow.jobs.cli.OutflowCli;
import dev.outflow.jobs.local.LocalKafkaBroker;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./outflow bench deliverability}: every profile (or one) against the real job, each on a fresh Flink
 * MiniCluster with fresh topics on one local Kafka broker; a table per scenario, a Markdown report with charts,
 * and the closing {@code deliverability:} line.
 */
@Command(name = "deliverability", mixinStandardHelpOptions = true,
        description = {"Run the real job against fault-injecting local endpoints, with time compressed, and report "
                + "first-attempt and final deliverability, losses, duplicates, Retry-After violations and isolation.",
            "Profiles: segment, throttle, outage, blackhole, slow, partial (all when --profile is not given)."})
public final class DeliverabilityCommand implements Callable<Integer> {

    static final int MAX_WARM_UPS = 4;
    static final int WARM_UP_SPREAD_PERCENT = 10;
    /**
     * How long the unmeasured run with the fault lasts ({@link Profile#faultWarmUp}): past the first timeouts, the
     * circuit opening and its first probes, and batches coming back through the retry topic.
     */
    static final Duration FAULT_WARM_UP = Duration.ofSeconds(20);

    @Option(names = "--profile", converter = ProfileConverter.class,
            description = "one profile to run: segment, throttle, outage, blackhole, slow or partial (default: all)")
    Profile profile;

    @Option(names = "--events", defaultValue = "5000", description = "events per scenario (default: "
            + "${DEFAULT-VALUE}; blackhole runs at least " + Profile.MIN_ISOLATION_EVENTS + ")")
    int events;

    @Option(names = "--time-scale", defaultValue = "240",
            description = "divide retry windows, backoff waits and outages by this (default: ${DEFAULT-VALUE}, "
                    + "a 4 h retry window lasts 60 s)")
    double timeScale;

    @Option(names = "--seed", defaultValue = "42", description = "seed of events and faults (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "report folder (default: <repo>/.outflow/bench/deliverability-<timestamp>)")
    Path outDir;

    @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (events < 1) {
            throw new OutflowCli.BadInputException("--events must be at least 1, got " + events);
        }
        if (!(timeScale >= 1)) {
            throw new OutflowCli.BadInputException("--time-scale must be at least 1, got " + timeScale);
        }
        if (parallelism < 1) {
            throw new OutflowCli.BadInputException("--parallelism must be at least 1, got " + parallelism);
        }
        Path report = outDir != null ? outDir : BenchFolders.defaultReportDir("deliverability");
        List<Profile> profiles = profile == null ? List.of(Profile.values()) : List.of(profile);
        Path workDir = Files.createTempDirectory("outflow-bench-");
        ScenarioRun.Settings settings = new ScenarioRun.Settings(events, new TimeScale(timeScale), seed, parallelism,
                workDir.resolve("checkpoints"));
        List<ScenarioResult> results = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir.resolve("kafka"))) {
            out.printf("outflow bench deliverability: %d events per scenario, time scale %s, kafka %s%n", events,
                    timeScale, broker.bootstrapServers());
            ScenarioRun runner = new ScenarioRun(broker, () -> localEnvironment(parallelism), settings, out);
            for (Profile selected : profiles) {
                Optional<Profile.Scenario> faultWarmUp = selected.faultWarmUp();
                if (faultWarmUp.isPresent()) {
                    runner.run(faultWarmUp.get(), FAULT_WARM_UP);
                    out.printf("  warm-up (%s): stopped after %d s%n", faultWarmUp.get().description(),
                            FAULT_WARM_UP.toSeconds());
                }
                Optional<Profile.Scenario> warmUp = selected.warmUp();
                if (warmUp.isPresent()) {
                    warmUp(runner, warmUp.get(), out);
                }
                for (Profile.Scenario scenario : selected.scenarios(settings.scale(), seed)) {
                    out.printf("%n== %s: %s%n", scenario.name(), scenario.description());
                    out.flush();
                    ScenarioResult result = runner.run(scenario);
                    results.add(result);
                    DeliverabilityReport.printTable(result, out);
                }
            }
        } finally {
            BenchFolders.deleteRecursively(workDir);
        }
        DeliverabilitySummary summary = DeliverabilitySummary.of(results);
        List<String> command = new ArrayList<>(List.of("./outflow", "bench"));
        command.addAll(spec.commandLine().getParseResult().originalArgs());
        Path written = DeliverabilityReport.write(report, command, results, summary, settings);
        out.println();
        out.println("report: " + written);
        out.println(summary.line());
        out.flush();
        return 0;
    }

    /**
     * Runs {@code scenario} until its healthy destinations' speed is within {@value #WARM_UP_SPREAD_PERCENT}% of
     * the run before (at most {@value #MAX_WARM_UPS} runs): on this 2-core machine a 20,000-event run was 2x
     * faster on the fourth run than on the first, from JIT compilation alone.
     */
    private static void warmUp(ScenarioRun runner, Profile.Scenario scenario, PrintWriter out) throws Exception {
        double previous = 0;
        for (int run = 1; run <= MAX_WARM_UPS; run++) {
            ScenarioResult result = runner.run(scenario);
            double speed = result.eventsPerSecond(result.healthyIds());
            out.printf(Locale.ROOT, "  warm-up %d (%s): %.0f events/s%n", run, scenario.description(), speed);
            out.flush();
            if (previous > 0 && Math.abs(speed - previous) <= previous * WARM_UP_SPREAD_PERCENT / 100.0) {
                return;
            }
            previous = speed;
        }
    }

    /** A fresh MiniCluster per scenario, so no scenario inherits another's load or state. */
    static StreamExecutionEnvironment localEnvironment(int parallelism) {
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, OutflowJob.localClusterConfiguration());
    }

    /** {@code --profile} by its lower-case name, with the known ones in the error. */
    static final class ProfileConverter implements CommandLine.ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            for (Profile candidate : Profile.values()) {
                if (candidate.cliName().equals(value)) {
                    return candidate;
                }
            }
            throw new CommandLine.TypeConversionException("unknown profile '" + value + "' (known: "
                    + String.join(", ", java.util.Arrays.stream(Profile.values()).map(Profile::cliName).toList())
                    + ")");
        }
    }
}
