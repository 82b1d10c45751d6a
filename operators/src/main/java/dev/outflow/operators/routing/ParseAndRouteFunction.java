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
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage: parses each input record, dead-letters what is not a valid event, and fans valid events out to
 * the destinations that take them, after the destination's filters and the privacy rules, as each destination (or
 * each fired subscription of an Actions destination) should get them. Pairs kept from a target by a rule go to the
 * {@link OutputTags#FILTERED} side output; a subscription whose mapping fails for the event is dead-lettered (and
 * its delivery-log line also goes out through {@link OutputTags#FILTERED}). So every (event, target) pair leaves
 * this function accounted for.
 *
 * <p>The broadcast input carries the suppression topic. Every subtask keeps the whole list in broadcast state
 * ({@link #SUPPRESSED_USERS}, next to the catalog's file list), so a user is suppressed from the moment their
 * record reaches the job: events routed before it went out. The state is checkpointed, so after a restore the list
 * is there before the first event.
 *
 * <p>Parsing and routing share one function so the JSON is read once per event. It never throws on input.
 */
public final class ParseAndRouteFunction extends BroadcastProcessFunction<RawEvent, SuppressionChange, RoutedEvent> {

    private static final long serialVersionUID = 1L;

    /**
     * Users the suppression topic suppresses, by userId, in every subtask. An entry is cleared by the user's
     * {@code unsuppress} record or tombstone on the topic; nothing else removes one.
     */
    public static final MapStateDescriptor<String, SuppressionMode> SUPPRESSED_USERS = new MapStateDescriptor<>(
            "suppressed-users", Types.STRING, Types.ENUM(SuppressionMode.class));

    private final DestinationCatalog catalog;
    private final EventRouter router;

    private transient SegmentEventParser parser;
    private transient DestinationMetrics metrics;
    private transient Counter eventsIn;
    private transient Counter malformed;

    public ParseAndRouteFunction(DestinationCatalog catalog) {
        this.catalog = catalog;
        this.router = new EventRouter(catalog);
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new SegmentEventParser();
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
        eventsIn = getRuntimeContext().getMetricGroup().counter("outflowEventsIn");
        malformed = getRuntimeContext().getMetricGroup().counter("outflowMalformed");
    }

    @Override
    public void processElement(RawEvent input, ReadOnlyContext ctx, Collector<RoutedEvent> out) throws Exception {
        long now = ctx.currentProcessingTime();
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
        ReadOnlyBroadcastState<String, SuppressionMode> suppressedByTopic = ctx.getBroadcastState(SUPPRESSED_USERS);
        for (SegmentEvent event : parsed.events()) {
            eventsIn.inc();
            SuppressionMode fromTopic = event.userId() == null ? null : suppressedByTopic.get(event.userId());
            route(event, fromTopic, input, now, ctx, out);
        }
    }

    /**
     * Applies one record of the suppression topic. Every subtask gets every record, so only the first one
     * dead-letters a record that cannot be applied.
     */
    @Override
    public void processBroadcastElement(SuppressionChange change, Context ctx, Collector<RoutedEvent> out)
            throws Exception {
        if (!change.valid()) {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.unreadableSuppression(change.record(),
                        change.problem(), ctx.currentProcessingTime()));
            }
            return;
        }
        BroadcastState<String, SuppressionMode> suppressed = ctx.getBroadcastState(SUPPRESSED_USERS);
        if (change.lifts()) {
            suppressed.remove(change.userId());
        } else {
            suppressed.put(change.userId(), change.mode());
        }
    }

    private void route(SegmentEvent event, SuppressionMode fromTopic, RawEvent input, long now, ReadOnlyContext ctx,
            Collector<RoutedEvent> out) {
        byte[] shared = null;
        for (RouteDecision decision : router.route(event, fromTopic)) {
            DestinationConfig target = decision.destination();
            if (decision.failed()) {
                deadLetter(event, input, now, ctx, decision);
                continue;
            }
            if (!decision.routed()) {
                metrics.of(target.id()).filtered(decision.filterReason().code()).inc();
                ctx.output(OutputTags.FILTERED, DeliveryLogRecord.filtered(event.messageId(), target.id(),
                        decision.filterReason().code(), now, input.origin()));
                continue;
            }
            byte[] payload;
            if (decision.body() == event.json()) {
                // Destinations that get the event unchanged share one serialized copy.
                if (shared == null) {
                    shared = Json.toBytes(event.json());
                }
                payload = shared;
            } else {
                payload = Json.toBytes(decision.body());
            }
            int shard = shardOf(event, target.batching().shards());
            metrics.of(target.id()).routed().inc();
            out.collect(new RoutedEvent(target.id(), shard, event.messageId(), event.type().wireName(), payload,
                    input.origin(), now));
        }
    }

    /** A body that cannot be built (a mapping that fails for this event) will never deliver: dead-letter it. */
    private void deadLetter(SegmentEvent event, RawEvent input, long now, ReadOnlyContext ctx,
            RouteDecision decision) {
        String routeId = decision.routeId();
        RoutedEvent unsent = new RoutedEvent(routeId, 0, event.messageId(), event.type().wireName(),
                Json.toBytes(event.json()), input.origin(), now);
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
