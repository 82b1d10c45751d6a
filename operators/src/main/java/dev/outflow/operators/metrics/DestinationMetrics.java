package dev.outflow.operators.metrics;

import dev.outflow.schemas.catalog.DestinationCatalog;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-destination Flink metrics, under a {@code destination=<id>} group so reporters such as Prometheus get the
 * destination as a label. Metrics are created on first use: each operator registers only what it updates.
 */
public final class DestinationMetrics {

    private static final int HISTOGRAM_WINDOW = 2_048;

    private final MetricGroup root;
    private final Map<String, Group> groups = new HashMap<>();

    public DestinationMetrics(MetricGroup root, DestinationCatalog catalog) {
        this.root = root;
        catalog.destinations().forEach(destination -> of(destination.id()));
    }

    public Group of(String destinationId) {
        return groups.computeIfAbsent(destinationId, id -> new Group(root.addGroup("destination", id)));
    }

    /** The metrics of one destination. */
    public static final class Group {
        private final MetricGroup group;
        private final Map<String, Counter> filtered = new HashMap<>();
        private Counter routed;
        private Counter delivered;
        private Counter failedAttempts;
        private Counter deadLettered;
        private Histogram latency;

        Group(MetricGroup group) {
            this.group = group;
        }

        public Counter routed() {
            return routed != null ? routed : (routed = group.counter("routed"));
        }

        /** Pairs kept from the destination, one counter per rule. */
        public Counter filtered(String reason) {
            return filtered.computeIfAbsent(reason, r -> group.addGroup("rule", r).counter("filtered"));
        }

        public Counter delivered() {
            return delivered != null ? delivered : (delivered = group.counter("delivered"));
        }

        /** Attempts that did not deliver (each retry counts again). */
        public Counter failedAttempts() {
            return failedAttempts != null ? failedAttempts : (failedAttempts = group.counter("failed"));
        }

        public Counter deadLettered() {
            return deadLettered != null ? deadLettered : (deadLettered = group.counter("deadLettered"));
        }

        /** Milliseconds from routing to delivery. */
        public Histogram latency() {
            return latency != null
                    ? latency
                    : (latency = group.histogram("deliveryLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
        }

        public void inFlight(LongSupplier requestsInFlight) {
            group.gauge("inFlight", requestsInFlight::getAsLong);
        }
    }
}
