package dev.outflow.benchmarks;

import java.util.List;
import java.util.Map;

/**
 * One scenario's figures, and the time series its charts are drawn from.
 *
 * @param name the scenario
 * @param description what it injects
 * @param events input events
 * @param retrySettingsApplied whether the job took the compressed retry settings (see {@link BenchCatalog})
 * @param completed every event was accounted for by the job before the time bound
 * @param durationMs from job submission to the end of the run
 * @param destinations per-destination figures, in catalog order
 * @param firstAcceptedAtMs per destination, when each accepted event was first accepted, in ms since the
 *     scenario's first request, sorted
 * @param acceptedAtMs per destination, the time of every accepted item including duplicates, same clock, sorted
 */
record ScenarioResult(String name, String description, int events, boolean retrySettingsApplied, boolean completed,
        long durationMs, List<DestinationFigures> destinations, Map<String, long[]> firstAcceptedAtMs,
        Map<String, long[]> acceptedAtMs) {

    DestinationFigures destination(String id) {
        return destinations.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    /** The destinations without injected faults. */
    List<String> healthyIds() {
        return destinations.stream().filter(d -> !d.faulty()).map(DestinationFigures::id).toList();
    }

    /**
     * Accepted events per second of {@code ids} together: their accepted events over the time from the scenario's
     * first request to the last acceptance among them.
     */
    double eventsPerSecond(List<String> ids) {
        long accepted = 0;
        long lastMs = 0;
        for (String id : ids) {
            accepted += destination(id).accepted();
            long[] times = acceptedAtMs.get(id);
            if (times.length > 0) {
                lastMs = Math.max(lastMs, times[times.length - 1]);
            }
        }
        return lastMs <= 0 ? 0 : accepted * 1000.0 / lastMs;
    }
}
