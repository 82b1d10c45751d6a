package dev.outflow.benchmarks;

import java.time.Duration;

/**
 * Compresses time by {@code factor}: a retry window, a backoff wait or an outage of {@code real} length lasts
 * {@code real / factor} in the benchmark, so a 4-hour retry window runs in a minute at 240. Latencies that belong
 * to the endpoint (a 2 s slow endpoint, request timeouts) are not compressed.
 */
record TimeScale(double factor) {

    TimeScale {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("time scale must be at least 1, got " + factor);
        }
    }

    long ms(Duration real) {
        return Math.max(1, Math.round(real.toMillis() / factor));
    }

    /** A catalog duration string ({@code 250ms}) for the compressed {@code real}. */
    String duration(Duration real) {
        return ms(real) + "ms";
    }
}
