package dev.outflow.operators.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Caps the requests in flight to one destination without blocking, with a cap that adapts (additive increase,
 * multiplicative decrease) between 1 and the configured maximum: it grows with each success, halves on an
 * overload signal (429, timeout) and eases off while latency climbs far above the best the destination has shown.
 * Work over the cap waits in a queue and starts when a running request completes.
 *
 * <p>Thread-safe: submissions come from the task thread, completions from the HTTP client's I/O threads.
 */
public final class ConcurrencyLimiter {

    /** Latency below this never counts as a slowdown: small absolute changes are noise. */
    static final long LATENCY_FLOOR_MS = 200;
    /** Latency (smoothed) this many times the best smoothed latency seen counts as a slowdown. */
    static final double LATENCY_TOLERANCE = 3.0;
    private static final double SMOOTHING = 0.1;

    private final int max;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private double limit;
    private int running;
    private double smoothedLatency = -1;
    private double bestLatency = Double.MAX_VALUE;
    private long samples;

    public ConcurrencyLimiter(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + max);
        }
        this.max = max;
        this.limit = max;
    }

    /** Runs {@code work} now if a slot is free, else when one frees up. */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<T> started;
            try {
                started = work.get();
            } catch (RuntimeException e) {
                started = CompletableFuture.failedFuture(e);
            }
            started.whenComplete((value, error) -> {
                release();
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        };
        boolean startNow;
        synchronized (this) {
            startNow = waiting.isEmpty() && running < limit();
            if (startNow) {
                running++;
            } else {
                waiting.add(start);
            }
        }
        if (startNow) {
            start.run();
        }
        return result;
    }

    /** A request succeeded after {@code latencyMs}. */
    public synchronized void onSuccess(long latencyMs) {
        samples++;
        smoothedLatency = smoothedLatency < 0 ? latencyMs : smoothedLatency + SMOOTHING * (latencyMs - smoothedLatency);
        if (samples >= 10) {
            bestLatency = Math.min(bestLatency, smoothedLatency);
        }
        boolean slowingDown = samples >= 10 && smoothedLatency > LATENCY_FLOOR_MS
                && smoothedLatency > LATENCY_TOLERANCE * bestLatency;
        if (slowingDown) {
            limit = Math.max(1, limit * 0.95);
        } else {
            limit = Math.min(max, limit + 1 / limit);
        }
    }

    /** The destination pushed back (429) or did not answer in time: halve the cap. */
    public synchronized void onOverload() {
        limit = Math.max(1, limit / 2);
    }

    /** The current cap on requests in flight. */
    public synchronized int limit() {
        return Math.max(1, (int) limit);
    }

    private void release() {
        List<Runnable> toStart = new ArrayList<>(1);
        synchronized (this) {
            running--;
            while (running < limit() && !waiting.isEmpty()) {
                running++;
                toStart.add(waiting.poll());
            }
        }
        toStart.forEach(Runnable::run);
    }

    /** Requests started and not yet completed. */
    public synchronized int running() {
        return running;
    }

    /** Work waiting for a slot. */
    public synchronized int waiting() {
        return waiting.size();
    }
}
