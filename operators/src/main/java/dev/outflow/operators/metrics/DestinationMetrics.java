package dev.outflow.operators.metrics;

import dev.outflow.operators.delivery.DestinationLane;

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
        private final Map<String, Counter> counters = new HashMap<>();
        private final Map<String, Histogram> histograms = new HashMap<>();

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

        /** The health gauges of a delivery lane: requests in flight, adaptive limit, circuit, Retry-After. */
        public void lane(DestinationLane lane) {
            inFlight(() -> lane.limiter().running() + lane.limiter().waiting());
            group.gauge("concurrencyLimit", () -> (long) lane.limiter().limit());
            group.gauge("circuitState", () -> (long) lane.circuitState().ordinal());
            group.gauge("retryAfterRemainingMs",
                    () -> Math.max(0L, lane.pausedUntil() - System.currentTimeMillis()));
        }

        /** Events handed back for a later retry (each retry counts again). */
        public Counter retried() {
            return counter("retried");
        }

        /** Batches not sent because the destination asked for a pause, its circuit was open or it was saturated. */
        public Counter deferred() {
            return counter("deferred");
        }

        /** Events dropped because their messageId was already seen within the dedup window. */
        public Counter duplicatesDropped() {
            return counter("duplicatesDropped");
        }

        /** Events dead-lettered because their retry window ran out. */
        public Counter expired() {
            return counter("retryWindowExpired");
        }

        /** {@code attempts} events had their first attempt; it delivered {@code delivered} of them. */
        public void firstAttempts(long attempts, long delivered) {
            counter("firstAttempts").inc(attempts);
            counter("firstAttemptsDelivered").inc(delivered);
        }

        /** Milliseconds from an event's first attempt to its delivery, for events that needed a retry. */
        public Histogram retryAge() {
            return histograms.computeIfAbsent("retryAgeMs",
                    name -> group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
        }

        /**
         * Live deliverability, per subtask: the share of first attempts that delivered (Segment's "accepted"
         * figure), and the share of events with a final outcome that were delivered rather than expired.
         */
        public void deliverabilityGauges() {
            group.gauge("firstAttemptAcceptance", () -> ratio(counter("firstAttemptsDelivered").getCount(),
                    counter("firstAttempts").getCount()));
            group.gauge("finalDeliverability", () -> ratio(delivered().getCount(),
                    delivered().getCount() + expired().getCount()));
        }

        /** Events parked for a retry, as seen by this batcher subtask. */
        public void parkedEvents(LongSupplier parked) {
            group.gauge("parkedEvents", parked::getAsLong);
        }

        private Counter counter(String name) {
            return counters.computeIfAbsent(name, group::counter);
        }

        private static double ratio(long part, long whole) {
            return whole == 0 ? 1.0 : (double) part / whole;
        }
    }
}
