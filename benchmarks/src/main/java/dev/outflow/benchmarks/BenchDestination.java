package dev.outflow.benchmarks;

import dev.outflow.jobs.local.EndpointBehavior;

/**
 * One destination of a scenario and the local endpoint behind it.
 *
 * @param id the destination id (also its endpoint's name)
 * @param role what it plays, for the report ({@code healthy}, {@code 6.64% 503}, ...)
 * @param faulty whether faults are injected on it (the others are the healthy ones isolation is measured on)
 * @param behavior how its endpoint answers
 * @param maxEvents batch size ({@code 1}: one event per request)
 * @param timeoutMs the request timeout the job uses for it
 * @param maxConcurrency the concurrency cap the job uses for it
 */
record BenchDestination(String id, String role, boolean faulty, EndpointBehavior behavior, int maxEvents,
        long timeoutMs, int maxConcurrency) {

    static BenchDestination healthy(String id, int maxEvents) {
        return new BenchDestination(id, "healthy", false, EndpointBehavior.healthy(), maxEvents, 5_000, 4);
    }
}
