package dev.outflow.benchmarks;

/**
 * What one destination got in one scenario. Acceptance is what the endpoint itself recorded, not what the job
 * claims; the job's own view is {@code jobDelivered} and {@code deadLettered}.
 *
 * @param id the destination
 * @param role what it played
 * @param faulty whether faults were injected on it
 * @param sent events owed to it (routed, not filtered)
 * @param requests requests its endpoint received
 * @param acceptedFirstAttempt events accepted the first time they reached the endpoint
 * @param accepted distinct events the endpoint accepted
 * @param jobDelivered events the job's delivery log says were delivered
 * @param unconfirmed events the job says were delivered that the endpoint never accepted
 * @param deadLettered events the job dead-lettered
 * @param lost events neither accepted by the endpoint nor dead-lettered, although the job had settled them
 *     (it logged them as delivered, or the run ended with the job done)
 * @param pending events the job had not settled yet when the run hit its time bound (not accepted either)
 * @param duplicates accepted deliveries of an event beyond its first
 * @param retryAfterViolations requests that arrived while a {@code Retry-After} the endpoint had sent was pending
 * @param p50LatencyMs median delivery latency (routing to delivered) from the delivery log
 * @param p99LatencyMs 99th percentile of the same
 * @param eventsPerSecond accepted events per second, from the scenario's first request to this endpoint's last
 *     acceptance
 */
record DestinationFigures(String id, String role, boolean faulty, long sent, long requests, long acceptedFirstAttempt,
        long accepted, long jobDelivered, long unconfirmed, long deadLettered, long lost, long pending,
        long duplicates,
        long retryAfterViolations, long p50LatencyMs, long p99LatencyMs, double eventsPerSecond) {

    double firstAttemptPercent() {
        return percent(acceptedFirstAttempt, sent);
    }

    double finalPercent() {
        return percent(accepted, sent);
    }

    static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
