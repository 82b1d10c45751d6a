package dev.outflow.operators.delivery;

/**
 * Stops calling a destination that keeps failing, and lets one probe through now and then to see whether it is
 * back. Failures are what the endpoint is to blame for (5xx, timeouts, connection errors); a 4xx is the request's
 * fault and counts as a sign of life, and a 429 is a throttle that the adaptive concurrency handles, so it counts
 * as neither.
 *
 * <p>Closed: the last {@value #WINDOW} results are kept; with at least {@value #MIN_CALLS} of them and half or
 * more failed, it opens. Open: nothing goes out until the open period ends. Half-open: a single probe goes out;
 * success closes the circuit, failure opens it again for twice as long (up to {@value #MAX_BACKOFF}x).
 *
 * <p>Thread-safe: requests are admitted on the task thread, results arrive on the HTTP client's threads.
 */
public final class CircuitBreaker {

    static final int WINDOW = 20;
    static final int MIN_CALLS = 10;
    static final int MAX_BACKOFF = 8;

    /** How a call ended, as far as the breaker cares. */
    public enum Result { SUCCESS, FAILURE, THROTTLED }

    /** Gauge values: 0 closed, 1 half-open, 2 open. */
    public enum State { CLOSED, HALF_OPEN, OPEN }

    private final long openMs;
    private final boolean[] failures = new boolean[WINDOW];
    private int recorded;
    private int next;
    private int failed;
    private State state = State.CLOSED;
    private long openUntil;
    private int backoff = 1;
    private boolean probeInFlight;

    public CircuitBreaker(long openMs) {
        this.openMs = openMs;
    }

    /**
     * Whether a request may go out now. In half-open state the first caller gets the probe and must report its
     * result; everyone else waits.
     */
    public synchronized boolean tryAcquire(long now) {
        if (state == State.OPEN && now >= openUntil) {
            state = State.HALF_OPEN;
            probeInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (probeInFlight) {
                    yield false;
                }
                probeInFlight = true;
                yield true;
            }
        };
    }

    /**
     * When a refused caller should come back: when the open period ends, or, while a probe is out, one open
     * period later (the probe's answer may take that long; every refused batch costs a trip through the retry
     * topic, so coming back sooner only burns work).
     */
    public synchronized long retryAt(long now) {
        return state == State.OPEN ? Math.max(now, openUntil) : now + openMs;
    }

    public synchronized void record(Result result, long now) {
        if (result == Result.THROTTLED) {
            if (state == State.HALF_OPEN) {
                probeInFlight = false;
            }
            return;
        }
        boolean failure = result == Result.FAILURE;
        if (state == State.HALF_OPEN) {
            if (failure) {
                backoff = Math.min(MAX_BACKOFF, backoff * 2);
                open(now);
            } else {
                close();
            }
            return;
        }
        if (state == State.OPEN) {
            return; // a request sent before the circuit opened
        }
        if (recorded == WINDOW && failures[next]) {
            failed--;
        }
        failures[next] = failure;
        next = (next + 1) % WINDOW;
        recorded = Math.min(WINDOW, recorded + 1);
        if (failure) {
            failed++;
        }
        if (recorded >= MIN_CALLS && failed * 2 >= recorded) {
            open(now);
        }
    }

    /** When the open period ends, while the circuit is open; 0 otherwise. */
    public synchronized long openUntil() {
        return state == State.OPEN ? openUntil : 0;
    }

    public synchronized State state() {
        return state;
    }

    private void open(long now) {
        state = State.OPEN;
        openUntil = now + openMs * backoff;
        probeInFlight = false;
    }

    private void close() {
        state = State.CLOSED;
        backoff = 1;
        probeInFlight = false;
        recorded = 0;
        next = 0;
        failed = 0;
        java.util.Arrays.fill(failures, false);
    }
}
