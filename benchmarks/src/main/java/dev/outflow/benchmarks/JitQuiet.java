package dev.outflow.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits for the JIT compilers to go quiet. On two busy cores the compiler threads fall far behind: runs that follow
 * an idle stretch (the tail of a black-hole run waiting out its retry window) start with everything compiled, runs
 * that follow a busy one do not, and short runs differ by 2x for that alone. Waiting before each measured run
 * gives every run the same start.
 */
final class JitQuiet {

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final long QUIET_COMPILE_MS = 20;

    private JitQuiet() {}

    /**
     * Returns once the JIT spent under 20 ms compiling in 2 s, or after {@code atMost}; the seconds waited. First
     * collects the garbage of earlier runs in this process (their endpoints' records of every event, the jobs'
     * buffers): left to the measured run, the old generation's marking and mixed collections came in the middle of
     * it, so that runs after a long idle stretch (when G1 had cleaned up) measured a quarter faster than the same
     * run after a busy one.
     */
    static double await(Duration atMost) throws InterruptedException {
        System.gc();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long start = System.nanoTime();
        long last = jit.getTotalCompilationTime();
        while (System.nanoTime() - start < atMost.toNanos()) {
            Thread.sleep(QUIET.toMillis());
            long now = jit.getTotalCompilationTime();
            if (now - last < QUIET_COMPILE_MS) {
                break;
            }
            last = now;
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
