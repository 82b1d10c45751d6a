package dev.outflow.schemas.catalog;

import java.io.Serializable;

/**
 * How long and how often a destination's retryable failures are tried again: randomized exponential backoff
 * inside a window that starts with an event's first attempt (Segment retries for four hours).
 *
 * @param windowMs how long after its first attempt an event may still be retried
 * @param initialWaitMs the wait after the first failed attempt, before jitter
 * @param maxWaitMs the longest wait between two attempts, before jitter
 */
public record RetryPolicy(long windowMs, long initialWaitMs, long maxWaitMs) implements Serializable {

    public static final RetryPolicy DEFAULTS = new RetryPolicy(4 * 3_600_000L, 1_000, 10 * 60_000);

    public RetryPolicy {
        if (windowMs < 0 || initialWaitMs <= 0 || maxWaitMs < initialWaitMs) {
            throw new IllegalArgumentException("retry policy needs window >= 0 and 0 < initialWait <= maxWait, got "
                    + windowMs + "/" + initialWaitMs + "/" + maxWaitMs + " ms");
        }
    }

    /**
     * The wait before the next attempt, after {@code failedAttempts} failures: {@code initialWait * 2^(n-1)},
     * capped at {@code maxWait}, then spread over [50%, 150%) by {@code uniform} (a random number in [0, 1)) so
     * that events failing together do not come back together.
     */
    public long backoffMs(int failedAttempts, double uniform) {
        int doublings = Math.max(0, Math.min(failedAttempts - 1, 40));
        double base = Math.min((double) maxWaitMs, initialWaitMs * Math.pow(2, doublings));
        return Math.max(1, Math.round(base * (0.5 + uniform)));
    }

    /**
     * The wait before events that have already waited {@code waitedMs} without being sent are offered again:
     * as long as they have waited, between {@code initialWait} and {@code maxWait}, spread like
     * {@link #backoffMs}. Waits grow geometrically without counting the times the events were held back.
     */
    public long holdBackoffMs(long waitedMs, double uniform) {
        double base = Math.min((double) maxWaitMs, Math.max(initialWaitMs, waitedMs));
        return Math.max(1, Math.round(base * (0.5 + uniform)));
    }

    /** The same policy with every duration divided by {@code factor} (benchmarks compress time with it). */
    public RetryPolicy compressed(double factor) {
        return new RetryPolicy(Math.round(windowMs / factor), Math.max(1, Math.round(initialWaitMs / factor)),
                Math.max(1, Math.round(maxWaitMs / factor)));
    }
}
