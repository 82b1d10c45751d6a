package dev.outflow.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits for the JIT compilers, of this process and of the Kafka broker's, to go quiet. On two busy cores the
 * compiler threads fall far behind: runs that follow an idle stretch (the tail of a black-hole run waiting out its
 * retry window) start with everything compiled, runs that follow a busy one do not, and short runs differ by 2x for
 * that alone. The broker is a JVM of its own on the same two cores: during a no-fault run before the black hole
 * its compilers took half of its CPU, after the black hole's quiet tail a tenth, and that run was a fifth faster.
 * Waiting before each measured run gives every run the same start.
 */
final class JitQuiet {

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final long QUIET_COMPILE_MS = 20;

    private JitQuiet() {}

    /**
     * Returns once the JIT spent under 20 ms compiling in 2 s, or after {@code atMost}; the seconds waited. First
     * collects the garbage earlier runs left in this process (their endpoints' records of every event, the jobs'
     * buffers), so that no measured run pays for collecting what a run before it left behind.
     */
    static double await(Duration atMost, long brokerPid) throws InterruptedException {
        System.gc();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean ownMeasured = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long lastOwn = ownMeasured ? jit.getTotalCompilationTime() : 0;
        long lastBroker = NativeThreadCpu.compilerNanos(brokerPid);
        while (System.nanoTime() - start < atMost.toNanos()) {
            Thread.sleep(QUIET.toMillis());
            long own = ownMeasured ? jit.getTotalCompilationTime() : 0;
            long broker = NativeThreadCpu.compilerNanos(brokerPid);
            if (own - lastOwn < QUIET_COMPILE_MS && broker - lastBroker < QUIET_COMPILE_MS * 1_000_000) {
                break;
            }
            lastOwn = own;
            lastBroker = broker;
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
