package dev.outflow.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The closing line of {@code bench deliverability}: first-attempt and final deliverability, lost events and
 * duplicates from {@code segment}, Retry-After violations from {@code throttle}, isolation from {@code blackhole}
 * over the mean of its no-fault twins (run before and after it). A figure whose profile did not run is
 * {@code n/a}.
 */
record DeliverabilitySummary(Optional<DestinationFigures> segment, Optional<DestinationFigures> throttle,
        Optional<Double> isolation) {

    static DeliverabilitySummary of(List<ScenarioResult> results) {
        Optional<DestinationFigures> segment = faulty(results, "segment");
        Optional<DestinationFigures> throttle = faulty(results, "throttle");
        Optional<ScenarioResult> blackhole = find(results, "blackhole");
        Optional<ScenarioResult> before = find(results, Profile.NO_FAULT_BEFORE);
        Optional<ScenarioResult> after = find(results, Profile.NO_FAULT_AFTER);
        Optional<Double> isolation = Optional.empty();
        if (blackhole.isPresent() && before.isPresent() && after.isPresent()) {
            List<String> healthy = blackhole.get().healthyIds();
            double baseline = (before.get().eventsPerSecond(healthy) + after.get().eventsPerSecond(healthy)) / 2;
            if (baseline > 0) {
                isolation = Optional.of(blackhole.get().eventsPerSecond(healthy) / baseline);
            }
        }
        return new DeliverabilitySummary(segment, throttle, isolation);
    }

    String line() {
        return "deliverability:"
                + " first_attempt=" + segment.map(s -> format("%.2f%%", s.firstAttemptPercent())).orElse("n/a")
                + " final=" + segment.map(s -> format("%.2f%%", s.finalPercent())).orElse("n/a")
                + " lost=" + segment.map(s -> String.valueOf(s.lost() + s.pending())).orElse("n/a")
                + " duplicates=" + segment.map(s -> String.valueOf(s.duplicates())).orElse("n/a")
                + " retry_after_violations=" + throttle.map(t -> String.valueOf(t.retryAfterViolations())).orElse("n/a")
                + " isolation=" + isolation.map(r -> format("%.2f", r)).orElse("n/a");
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    private static Optional<ScenarioResult> find(List<ScenarioResult> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    private static Optional<DestinationFigures> faulty(List<ScenarioResult> results, String name) {
        return find(results, name).flatMap(r -> r.destinations().stream().filter(DestinationFigures::faulty).findFirst());
    }
}
