package dev.outflow.operators.routing;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.metrics.DestinationMetrics;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.InvalidEvent;
import dev.outflow.schemas.event.InvalidReason;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.event.ParseResult;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.event.SegmentEvent;
import dev.outflow.schemas.event.SegmentEventParser;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;

/**
 * What the routing stage does with one input record, whichever operator runs it ({@link ParseAndRouteFunction}
 * with a suppression topic, {@link ChainedParseAndRouteFunction} without): parse it, dead-letter what is not a
 * valid event, and fan valid events out to the destinations that take them. Every (event, target) pair leaves
 * accounted for: routed, filtered with its rule, or dead-lettered. Never throws on input.
 */
final class InputRouting implements Serializable {

    /** Where side outputs go: the calling function's context. */
    interface SideOutputs {
        <X> void output(OutputTag<X> tag, X value);
    }

    /** The suppression topic's mode for a user, null when it does not suppress them. */
    interface SuppressionLookup {
        SuppressionMode of(String userId) throws Exception;
    }

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;
    private final EventRouter router;

    private transient SegmentEventParser parser;
    private transient DestinationMetrics metrics;
    private transient Counter eventsIn;
    private transient Counter malformed;

    /** Compiles the catalog's rules once, where the job is built; {@link #open} before the first record. */
    InputRouting(DestinationCatalog catalog) {
        this.catalog = catalog;
        this.router = new EventRouter(catalog);
    }

    /** In the task: the parser and the metrics, registered on the calling function's group. */
    void open(MetricGroup metricGroup) {
        parser = new SegmentEventParser();
        metrics = new DestinationMetrics(metricGroup, catalog);
        eventsIn = metricGroup.counter("outflowEventsIn");
        malformed = metricGroup.counter("outflowMalformed");
    }

    void process(RawEvent input, long now, SuppressionLookup suppressedByTopic, SideOutputs ctx,
            Collector<RoutedEvent> out) throws Exception {
        ParseResult parsed;
        try {
            parsed = parser.parse(input);
        } catch (RuntimeException unexpected) {
            // A parser bug must cost one record, not the job: dead-letter it with what went wrong.
            parsed = ParseResult.rejected(InvalidReason.NOT_JSON,
                    "could not be parsed: " + unexpected.getClass().getSimpleName(), input.value());
        }
        for (InvalidEvent invalid : parsed.invalid()) {
            eventsIn.inc();
            malformed.inc();
            ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.malformed(input, invalid, now));
        }
        for (SegmentEvent event : parsed.events()) {
            eventsIn.inc();
            SuppressionMode fromTopic = event.userId() == null ? null : suppressedByTopic.of(event.userId());
            route(event, fromTopic, input, now, ctx, out);
        }
    }

    private void route(SegmentEvent event, SuppressionMode fromTopic, RawEvent input, long now, SideOutputs ctx,
            Collector<RoutedEvent> out) {
        byte[] shared = null;
        // one String for all of the event's destinations: built for each, it was three concatenations per event in
        // the throughput benchmark
        String origin = input.origin();
        for (RouteDecision decision : router.route(event, fromTopic)) {
            DestinationConfig target = decision.destination();
            if (decision.failed()) {
                deadLetter(event, input, now, ctx, decision);
                continue;
            }
            if (!decision.routed()) {
                metrics.of(target.id()).filtered(decision.filterReason().code()).inc();
                ctx.output(OutputTags.FILTERED, DeliveryLogRecord.filtered(event.messageId(), target.id(),
                        decision.filterReason().code(), now, origin));
                continue;
            }
            byte[] payload;
            if (decision.body() == event.json()) {
                // Destinations that get the event unchanged share one serialized copy.
                if (shared == null) {
                    shared = event.toBytes();
                }
                payload = shared;
            } else {
                payload = Json.toBytes(decision.body());
            }
            int shard = shardOf(event, target.batching().shards());
            metrics.of(target.id()).routed().inc();
            out.collect(new RoutedEvent(target.id(), shard, event.messageId(), event.type().wireName(), payload,
                    origin, now));
        }
    }

    /** A body that cannot be built (a mapping that fails for this event) will never deliver: dead-letter it. */
    private void deadLetter(SegmentEvent event, RawEvent input, long now, SideOutputs ctx,
            RouteDecision decision) {
        String routeId = decision.routeId();
        RoutedEvent unsent = new RoutedEvent(routeId, 0, event.messageId(), event.type().wireName(),
                event.toBytes(), input.origin(), now);
        metrics.of(routeId).deadLettered().inc();
        ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.undeliverable(unsent, decision.failure(), false,
                new AttemptRecord[0], now));
        ctx.output(OutputTags.FILTERED, DeliveryLogRecord.of(event.messageId(), routeId,
                DeliveryStatus.DEAD_LETTERED, decision.failure(), 0, 0, 0, now, input.origin()));
    }

    /** One user's events stay on one shard, so a hot destination spreads by user without reordering a user. */
    static int shardOf(SegmentEvent event, int shards) {
        if (shards <= 1) {
            return 0;
        }
        String user = event.userId() != null
                ? event.userId()
                : event.anonymousId() != null ? event.anonymousId() : event.messageId();
        return Math.floorMod(user.hashCode(), shards);
    }
}
