package dev.outflow.schemas.catalog;

import java.io.Serializable;

/**
 * How requests to a destination are made.
 *
 * @param timeoutMs per-request timeout (connect plus response)
 * @param maxConcurrency most requests in flight to this destination at once (all of its batches go through one
 *     delivery subtask; the adaptive limit moves below it)
 * @param retry backoff and window for retryable failures
 * @param dedupWindowMs how long a messageId seen for this destination is remembered, so a repeat is not sent again
 * @param circuitOpenMs how long the circuit stays open after sustained failure before a probe is let through
 */
public record DeliveryConfig(long timeoutMs, int maxConcurrency, RetryPolicy retry, long dedupWindowMs,
        long circuitOpenMs) implements Serializable {

    public static final long DEFAULT_DEDUP_WINDOW_MS = 24 * 3_600_000L;
    /** The longest {@code dedupWindow} a catalog takes: 30 days. */
    public static final long MAX_DEDUP_WINDOW_MS = 30 * 24 * 3_600_000L;
    public static final long DEFAULT_CIRCUIT_OPEN_MS = 10_000;

    public static final DeliveryConfig DEFAULTS = new DeliveryConfig(10_000, 8);

    /** Functions: Segment's 5 s per invocation. */
    public static final DeliveryConfig FUNCTION_DEFAULTS = new DeliveryConfig(5_000, 8);

    public DeliveryConfig(long timeoutMs, int maxConcurrency) {
        this(timeoutMs, maxConcurrency, RetryPolicy.DEFAULTS, DEFAULT_DEDUP_WINDOW_MS, DEFAULT_CIRCUIT_OPEN_MS);
    }
}
