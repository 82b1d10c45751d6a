package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * How a {@link LocalHttpEndpoint} answers a request, given the events in its body and when it arrived. Must be
 * thread-safe. The factories below are the faults the demo, the tests and the benchmarks inject.
 */
@FunctionalInterface
public interface EndpointBehavior {

    /** The answer to a request carrying {@code events}, received at {@code nowMs} (epoch ms). */
    Reply reply(List<JsonNode> events, long nowMs);

    /**
     * One answer.
     *
     * @param status the HTTP status; {@link #NO_ANSWER} holds the request without ever answering
     * @param retryAfterSeconds the {@code Retry-After} header in seconds, or 0 for none
     * @param delayMs how long to wait before answering (or, for {@link #NO_ANSWER}, how long to hold the request)
     * @param itemStatuses for a 207, one status per event in request order; otherwise empty
     */
    record Reply(int status, int retryAfterSeconds, long delayMs, List<Integer> itemStatuses) {

        /** Not an HTTP status: the endpoint never answers (a black hole); the client has to time out. */
        public static final int NO_ANSWER = 0;

        public Reply {
            itemStatuses = List.copyOf(itemStatuses);
        }

        public static Reply of(int status) {
            return new Reply(status, 0, 0, List.of());
        }

        public static Reply noAnswer(long holdMs) {
            return new Reply(NO_ANSWER, 0, holdMs, List.of());
        }

        /** A 207 Multi-Status with one result per event. */
        public static Reply multiStatus(List<Integer> itemStatuses) {
            return new Reply(207, 0, 0, itemStatuses);
        }

        public Reply withRetryAfter(int seconds) {
            return new Reply(status, seconds, delayMs, itemStatuses);
        }

        public Reply delayedBy(long ms) {
            return new Reply(status, retryAfterSeconds, ms, itemStatuses);
        }

        /** Whether the event at {@code index} of the request was accepted. */
        public boolean accepted(int index) {
            int itemStatus = status == 207 ? itemStatuses.get(index) : status;
            return itemStatus >= 200 && itemStatus < 300;
        }
    }

    /** Takes everything. */
    static EndpointBehavior healthy() {
        return (events, now) -> Reply.of(200);
    }

    /**
     * Answers {@code status} to a random {@code rate} of requests, reproducibly for a given seed (the demo's 6.64%
     * of 503s is Segment's published example of an endpoint accepting 93.36% of requests).
     */
    static EndpointBehavior failingRandomly(double rate, int status, long seed) {
        Random random = new Random(seed);
        return (events, now) -> {
            synchronized (random) {
                return Reply.of(random.nextDouble() < rate ? status : 200);
            }
        };
    }

    /** Answers 400 to any request holding an event that {@code refuse} matches, 200 otherwise. */
    static EndpointBehavior rejecting(Predicate<JsonNode> refuse) {
        return (events, now) -> Reply.of(events.stream().anyMatch(refuse) ? 400 : 200);
    }

    /** Takes everything, {@code delayMs} late. */
    static EndpointBehavior slow(long delayMs) {
        return (events, now) -> Reply.of(200).delayedBy(delayMs);
    }

    /** Never answers; holds each request for {@code holdMs} (or until the endpoint closes), then drops it. */
    static EndpointBehavior blackHole(long holdMs) {
        return (events, now) -> Reply.noAnswer(holdMs);
    }

    /**
     * A fixed-window rate limit: the first {@code requestsPerSecond} requests of each second (counted from the
     * first request) are taken, the rest get 429 with a {@code Retry-After} naming the end of the window.
     */
    static EndpointBehavior throttled(int requestsPerSecond) {
        Object lock = new Object();
        long[] window = {-1, 0};   // window start (ms), requests in it
        return (events, now) -> {
            synchronized (lock) {
                if (window[0] < 0 || now - window[0] >= 1_000) {
                    window[0] = window[0] < 0 ? now : now - (now - window[0]) % 1_000;
                    window[1] = 0;
                }
                if (++window[1] <= requestsPerSecond) {
                    return Reply.of(200);
                }
                long untilEnd = window[0] + 1_000 - now;
                return Reply.of(429).withRetryAfter((int) Math.max(1, (untilEnd + 999) / 1_000));
            }
        };
    }

    /**
     * Healthy, except that from {@code startAfterMs} after the first request and for {@code lengthMs} it answers
     * every request with 503 (an outage, then recovery).
     */
    static EndpointBehavior outage(long startAfterMs, long lengthMs) {
        AtomicLong firstRequest = new AtomicLong(-1);
        return (events, now) -> {
            firstRequest.compareAndSet(-1, now);
            long since = now - firstRequest.get();
            return Reply.of(since >= startAfterMs && since < startAfterMs + lengthMs ? 503 : 200);
        };
    }

    /**
     * Answers 207 with one result per event: a random {@code itemFailureRate} of the events (reproducibly for a
     * seed) get {@code itemStatus}, the others 200.
     */
    static EndpointBehavior partiallyFailing(double itemFailureRate, int itemStatus, long seed) {
        Random random = new Random(seed);
        return (events, now) -> {
            List<Integer> statuses = new ArrayList<>(events.size());
            synchronized (random) {
                for (int i = 0; i < events.size(); i++) {
                    statuses.add(random.nextDouble() < itemFailureRate ? itemStatus : 200);
                }
            }
            return Reply.multiStatus(statuses);
        };
    }
}
