package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/** How a {@link LocalHttpEndpoint} answers a request, given the events in its body. Must be thread-safe. */
@FunctionalInterface
public interface EndpointBehavior {

    /** The HTTP status for a request carrying {@code events}. */
    int statusFor(List<JsonNode> events);

    /** Takes everything. */
    static EndpointBehavior healthy() {
        return events -> 200;
    }

    /**
     * Answers {@code status} to a random {@code rate} of requests, reproducibly for a given seed (the demo's 6.64%
     * of 503s is Segment's published example of an endpoint accepting 93.36% of requests).
     */
    static EndpointBehavior failingRandomly(double rate, int status, long seed) {
        Random random = new Random(seed);
        return events -> {
            synchronized (random) {
                return random.nextDouble() < rate ? status : 200;
            }
        };
    }

    /** Answers 400 to any request holding an event that {@code refuse} matches, 200 otherwise. */
    static EndpointBehavior rejecting(Predicate<JsonNode> refuse) {
        return events -> events.stream().anyMatch(refuse) ? 400 : 200;
    }
}
