package dev.outflow.benchmarks;

import dev.outflow.jobs.local.EndpointBehavior;

import java.time.Duration;
import java.util.List;

/** The deliverability profiles: which faults the local endpoints inject. */
enum Profile {

    SEGMENT("segment", "one endpoint answers a random 6.64% of requests with 503 (accepts 93.36%, Segment's "
            + "published example), one event per request"),
    THROTTLE("throttle", "a rate-limited endpoint: 20 requests per second, then 429 with Retry-After up to the end "
            + "of the second (bursts of 429s), batches of 25"),
    OUTAGE("outage", "an endpoint that answers 503 to everything for 30 minutes (compressed), starting 0.5 s "
            + "after its first request, then recovers; one event per request"),
    BLACKHOLE("blackhole", "four batch destinations, one of which never answers (the job's 2 s timeout has to "
            + "fire); the other three healthy. Also runs the same four all healthy, for isolation"),
    SLOW("slow", "one endpoint answering every request after 2 s, next to a healthy one; batches of 100"),
    PARTIAL("partial", "a batch endpoint answering 207 with per-item results, 10% of items 503; batches of 50");

    /** Segment's example endpoint accepted 93.36% of requests. */
    static final double SEGMENT_FAILURE_RATE = 0.0664;

    private final String cliName;
    private final String description;

    Profile(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    String cliName() {
        return cliName;
    }

    String description() {
        return description;
    }

    static final String NO_FAULT_BEFORE = "no-fault-before";
    static final String NO_FAULT_AFTER = "no-fault-after";

    /**
     * Unmeasured runs before this profile's, to warm up the JIT until runs stop getting faster: for {@code blackhole}
     * its no-fault twin, whose speed is the baseline of the isolation figure; nothing for the others.
     */
    java.util.Optional<Scenario> warmUp() {
        return this == BLACKHOLE
                ? java.util.Optional.of(new Scenario("warm-up", this, "the no-fault twin, unmeasured, until runs "
                        + "stop getting faster", fourDestinations(false)))
                : java.util.Optional.empty();
    }

    /**
     * Events per destination in a {@code blackhole} run, at the least: its isolation figure compares the healthy
     * destinations' speed across runs, and a run of 5,000 events is over in under a second, where the speed of
     * the same four healthy destinations differed by half from one run to the next (6,000 and 9,000 events/s).
     */
    static final int MIN_ISOLATION_EVENTS = 100_000;

    /** Events per destination in a run of this profile when {@code --events} asks for {@code requested}. */
    int eventsPerRun(int requested) {
        return this == BLACKHOLE ? Math.max(requested, MIN_ISOLATION_EVENTS) : requested;
    }

    /**
     * An unmeasured run with the fault, cut short, before the warm-up twins: for {@code blackhole}, so that the JIT
     * has compiled the failure paths (timeouts, deferrals, parking, the retry topic) before the measured run. The
     * first black hole a fresh JVM meets stalls every destination for most of a second while compiled code that
     * never saw a failure is thrown away and compiled again: measured, healthy throughput 0.68-0.75 of the
     * no-fault twins' on the first black-hole run of an invocation, 0.96 on the second.
     */
    java.util.Optional<Scenario> faultWarmUp() {
        return this == BLACKHOLE
                ? java.util.Optional.of(new Scenario("warm-up-blackhole", this, "the black-hole run, unmeasured and "
                        + "cut short, so the failure paths are compiled", fourDestinations(true)))
                : java.util.Optional.empty();
    }

    /** The runs of this profile: one, or for {@code blackhole} the faulty run between two no-fault twins. */
    List<Scenario> scenarios(TimeScale scale, long seed) {
        return switch (this) {
            case SEGMENT -> List.of(new Scenario("segment", this, description, List.of(new BenchDestination(
                    "segment-webhook", "6.64% 503", true,
                    EndpointBehavior.failingRandomly(SEGMENT_FAILURE_RATE, 503, seed), 1, 5_000, 16))));
            case THROTTLE -> List.of(new Scenario("throttle", this, description, List.of(new BenchDestination(
                    "throttled-api", "20 req/s then 429", true, EndpointBehavior.throttled(20), 25, 5_000, 4))));
            case OUTAGE -> List.of(new Scenario("outage", this, description, List.of(new BenchDestination(
                    "flaky-api", "down " + scale.ms(Duration.ofMinutes(30)) + " ms", true,
                    EndpointBehavior.outage(500, scale.ms(Duration.ofMinutes(30))), 1, 5_000, 16))));
            // A short run is dominated by how warm the JIT is (see warmUp); the no-fault twin runs before and
            // after the black-hole run, as each run may still find the JIT warmer than the one before, so a single
            // twin would flatter (after) or penalize (before) the black-hole run.
            case BLACKHOLE -> List.of(
                    new Scenario(NO_FAULT_BEFORE, this, "the blackhole profile's four destinations, all healthy",
                            fourDestinations(false)),
                    new Scenario("blackhole", this, description, fourDestinations(true)),
                    new Scenario(NO_FAULT_AFTER, this, "the same again, after the black-hole run",
                            fourDestinations(false)));
            case SLOW -> List.of(new Scenario("slow", this, description, List.of(
                    new BenchDestination("slow-api", "2 s latency", true, EndpointBehavior.slow(2_000), 100, 5_000, 4),
                    BenchDestination.healthy("healthy-1", 100))));
            case PARTIAL -> List.of(new Scenario("partial", this, description, List.of(new BenchDestination(
                    "bulk-api", "207, 10% items 503", true, EndpointBehavior.partiallyFailing(0.10, 503, seed),
                    50, 5_000, 4))));
        };
    }

    private static List<BenchDestination> fourDestinations(boolean withBlackHole) {
        long timeoutMs = 2_000;
        BenchDestination fourth = withBlackHole
                ? new BenchDestination("black-hole", "never answers", true,
                        EndpointBehavior.blackHole(timeoutMs + 2_000), 100, timeoutMs, 4)
                : new BenchDestination("black-hole", "healthy (no-fault run)", false, EndpointBehavior.healthy(),
                        100, timeoutMs, 4);
        return List.of(
                new BenchDestination("healthy-1", "healthy", false, EndpointBehavior.healthy(), 100, timeoutMs, 4),
                new BenchDestination("healthy-2", "healthy", false, EndpointBehavior.healthy(), 100, timeoutMs, 4),
                new BenchDestination("healthy-3", "healthy", false, EndpointBehavior.healthy(), 100, timeoutMs, 4),
                fourth);
    }

    /** One run: a fresh job against fresh endpoints and topics. */
    record Scenario(String name, Profile profile, String description, List<BenchDestination> destinations) {}
}
