package dev.outflow.operators.delivery;

import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything one delivery subtask knows about one destination's health, and the gate every batch for it passes:
 * a pending Retry-After, the circuit breaker and the adaptive concurrency limit. A batch the gate holds back is
 * not queued (it would sit on Async I/O capacity that other destinations need): it is handed back as deferred,
 * and the batcher parks it until the gate can open.
 *
 * <p>Lanes live in the delivery subtask, not in checkpointed state: after a restart a destination starts with a
 * closed circuit and full concurrency, and learns its health again from the first answers.
 */
public final class DestinationLane {

    /**
     * Batches waiting for a concurrency slot, as a multiple of the current limit, past which new ones are deferred if
     * the lane has stopped answering or would take {@link #MIN_DEFER_MS} or more to drain.
     */
    public static final int BACKLOG_FACTOR = 2;

    /**
     * A batch held back for its destination's health is parked for at least this long: each deferral is a round
     * trip through the retry topic, and a lane that cannot take work for a few milliseconds is not worth one. For
     * the same reason a full backlog that drains in less than this, at the destination's recent latency, still
     * queues (see {@link #admit}).
     */
    static final long MIN_DEFER_MS = 1_000;

    /**
     * A lane with requests in flight and no answer for this long (or for twice its recent latency, if longer) has
     * stopped draining: its full backlog defers new batches however fast it used to answer.
     */
    static final long STALL_MS = 100;

    static final String RETRY_AFTER = "retry-after";
    static final String CIRCUIT_OPEN = "circuit open";

    /** Why and until when a batch must not be sent. */
    public record Hold(long until, String reason) {}

    static final String SATURATED = "saturated";

    /**
     * Whether a hold of this reason stops every batch of the destination until it ends or the destination answers
     * again: a Retry-After, an open circuit, and also a full backlog. (The next batch may find a backlog drained,
     * but a destination that stops answering fills it long before its circuit opens, and each batch deferred
     * meanwhile would make a trip through the retry topic; the first answer ends the hold, see
     * {@link #learnAndTell}.)
     */
    public static boolean holdsDestination(String reason) {
        return RETRY_AFTER.equals(reason) || CIRCUIT_OPEN.equals(reason)
                || (reason != null && reason.startsWith(SATURATED));
    }

    /**
     * The longest an open circuit keeps {@code destination} from taking work: its open period after repeated failed
     * probes.
     */
    public static long longestCircuitHoldMs(DestinationConfig destination) {
        return CircuitBreaker.MAX_BACKOFF * openPeriodMs(destination);
    }

    private static long openPeriodMs(DestinationConfig destination) {
        return Math.max(destination.delivery().circuitOpenMs(), destination.delivery().timeoutMs());
    }

    private final DestinationConfig destination;
    private final CircuitBreaker breaker;
    private final ConcurrencyLimiter limiter;
    private final AtomicLong pausedUntil = new AtomicLong();
    /**
     * Whether batches were told the destination is held (deferred for a Retry-After, an open circuit or a full
     * backlog, or failed with the circuit open) since it last answered: the next answer ends the hold for the
     * batchers.
     */
    private final AtomicBoolean holdAnnounced = new AtomicBoolean();
    /** Smoothed latency of recent attempts, failures included (a timeout counts its full wait). */
    private volatile double recentLatencyMs;
    /** When the destination last answered with a status, or the lane last went from idle to busy (ms). */
    private volatile long lastProgressAt;

    public DestinationLane(DestinationConfig destination) {
        this.destination = destination;
        // probing more often than a request can time out only sends probes into the same outage
        this.breaker = new CircuitBreaker(openPeriodMs(destination));
        this.limiter = new ConcurrencyLimiter(destination.delivery().maxConcurrency());
    }

    /**
     * Whether a new batch may join this destination's queue now; null when it may. In half-open state the first
     * admitted batch is the circuit's probe.
     */
    public Hold admit(long now) {
        Hold paused = pausedAt(now);
        if (paused != null) {
            return paused;
        }
        int running = limiter.running();
        int waiting = limiter.waiting();
        if (running == 0 && waiting == 0) {
            lastProgressAt = now;
        }
        if (waiting >= BACKLOG_FACTOR * limiter.limit()) {
            // A destination that answers and drains its queue within MIN_DEFER_MS keeps taking batches: deferring
            // them would send each through the retry topic while the job is busiest, and under a full load the
            // backlog fills with healthy destinations too (the throughput benchmark saw up to 1,791 deferred
            // batches and a run at 60,105 events/s). Async I/O's capacity still bounds the queue.
            long drainMs = drainMs(running, waiting);
            if (drainMs >= MIN_DEFER_MS || stalled(now, running)) {
                holdAnnounced.set(true);
                return new Hold(now + Math.max(MIN_DEFER_MS, Math.min(60_000, drainMs)), SATURATED + ": " + running
                        + " requests in flight and " + waiting + " waiting");
            }
        }
        if (!breaker.tryAcquire(now)) {
            holdAnnounced.set(true);
            return new Hold(Math.max(now + MIN_DEFER_MS, breaker.retryAt(now)), CIRCUIT_OPEN);
        }
        return null;
    }

    /**
     * Checked again just before a queued batch goes out: a Retry-After may have arrived while it waited, or the
     * circuit opened (a destination that fails fast drains its queue fast, so many batches may be waiting when it
     * does). Null when it may go.
     */
    public Hold heldAt(long now) {
        Hold paused = pausedAt(now);
        if (paused != null) {
            return paused;
        }
        long openUntil = breaker.openUntil();
        if (now < openUntil) {
            holdAnnounced.set(true);
            return new Hold(openUntil, CIRCUIT_OPEN);
        }
        return null;
    }

    /**
     * Whether a Retry-After holds the destination at {@code now}; null when none does. Callers outside the lane ask
     * {@link #admit} or {@link #heldAt}, which check the circuit too.
     */
    Hold pausedAt(long now) {
        long until = pausedUntil.get();
        if (now < until) {
            holdAnnounced.set(true);
            return new Hold(until, RETRY_AFTER);
        }
        return null;
    }

    /**
     * Updates the destination's health from an attempt and returns what the batchers must be told of it: a failure
     * that left the destination held (a Retry-After, an open circuit) carries the hold's end as its
     * {@code notBefore}, so the events come back held and their batcher parks the destination's new traffic with
     * them; the first answer after batches were told of a hold {@link DeliveryAttempt#endsHold() ends it}. Called
     * before the attempt's concurrency slot is given to the next batch, so that batch already sees a Retry-After
     * this attempt brought.
     */
    public DeliveryAttempt learnAndTell(DeliveryAttempt attempt) {
        learn(attempt);
        if (attempt.outcome() == AttemptOutcome.DEFERRED) {
            return attempt;
        }
        long now = attempt.startedAt() + attempt.latencyMs();
        long heldUntil = Math.max(pausedUntil.get(), breaker.openUntil());
        if (heldUntil > now) {
            holdAnnounced.set(true);
            return attempt.heldUntil(heldUntil);
        }
        boolean answered = attempt.outcome() != AttemptOutcome.RETRYABLE && attempt.status() != 429;
        return answered && holdAnnounced.compareAndSet(true, false) ? attempt.endingHold() : attempt;
    }

    void learn(DeliveryAttempt attempt) {
        if (attempt.outcome() == AttemptOutcome.DEFERRED) {
            // a probe that never went out must not keep the circuit half-open forever
            breaker.record(CircuitBreaker.Result.THROTTLED, attempt.startedAt());
            return;
        }
        long now = attempt.startedAt() + attempt.latencyMs();
        if (attempt.status() != 0 && now > lastProgressAt) {
            // an answer, whatever it says; a timeout or a refused connection is not one
            lastProgressAt = now;
        }
        double latency = attempt.latencyMs();
        recentLatencyMs = recentLatencyMs == 0 ? latency : recentLatencyMs + 0.2 * (latency - recentLatencyMs);
        if (attempt.notBefore() > 0) {
            pausedUntil.accumulateAndGet(attempt.notBefore(), Math::max);
        }
        if (attempt.status() == 429) {
            limiter.onOverload();
            breaker.record(CircuitBreaker.Result.THROTTLED, now);
        } else if (attempt.outcome() == AttemptOutcome.RETRYABLE) {
            if (attempt.status() == 0 && attempt.error() != null && attempt.error().startsWith("timeout")) {
                limiter.onOverload();
            }
            breaker.record(CircuitBreaker.Result.FAILURE, now);
        } else {
            limiter.onSuccess(attempt.latencyMs());
            breaker.record(CircuitBreaker.Result.SUCCESS, now);
        }
    }

    /**
     * How long the lane's queue should take to drain: what is in flight and waiting, at the current limit and recent
     * latency (a black hole's timeouts make this long, a fast destination's short). A saturated destination's
     * batches come back after that, between {@link #MIN_DEFER_MS} and a minute.
     */
    private long drainMs(int running, int waiting) {
        return Math.round((running + waiting) * Math.max(1.0, recentLatencyMs) / limiter.limit());
    }

    /** Requests in flight and no answer for {@link #STALL_MS}, or twice the recent latency if that is longer. */
    private boolean stalled(long now, int running) {
        return running > 0 && now - lastProgressAt > Math.max(STALL_MS, 2 * recentLatencyMs);
    }

    public ConcurrencyLimiter limiter() {
        return limiter;
    }

    public CircuitBreaker.State circuitState() {
        return breaker.state();
    }

    /** Until when a Retry-After holds the destination (ms), 0 when it never did. */
    public long pausedUntil() {
        return pausedUntil.get();
    }
}
