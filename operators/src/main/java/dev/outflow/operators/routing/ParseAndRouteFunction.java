package dev.outflow.operators.routing;

import dev.outflow.operators.OutputTags;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage, for a catalog with a suppression topic: parses each input record, dead-letters what is not a
 * valid event, and fans valid events out to the destinations that take them, after the destination's filters and
 * the privacy rules, as each destination (or each fired subscription of an Actions destination) should get them.
 * Pairs kept from a target by a rule go to the {@link OutputTags#FILTERED} side output; a subscription whose mapping
 * fails for the event is dead-lettered (and its delivery-log line also goes out through
 * {@link OutputTags#FILTERED}). So every (event, target) pair leaves this function accounted for (see
 * {@link InputRouting}). Without a suppression topic the job runs {@link ChainedParseAndRouteFunction} instead.
 *
 * <p>The broadcast input carries the suppression topic. Every subtask keeps the whole list in broadcast state
 * ({@link #SUPPRESSED_USERS}, next to the catalog's file list), so a user is suppressed from the moment their
 * record reaches the job: events routed before it went out. The state is checkpointed, so after a restore the list
 * is there before the first event.
 *
 * <p>Parsing and routing share one function so the JSON is read once per event. It never throws on input.
 */
public final class ParseAndRouteFunction extends BroadcastProcessFunction<RawEvent, SuppressionChange, RoutedBundle> {

    private static final long serialVersionUID = 1L;

    /**
     * Users the suppression topic suppresses, by userId, in every subtask. An entry is cleared by the user's
     * {@code unsuppress} record or tombstone on the topic; nothing else removes one.
     */
    public static final MapStateDescriptor<String, SuppressionMode> SUPPRESSED_USERS = new MapStateDescriptor<>(
            "suppressed-users", Types.STRING, Types.ENUM(SuppressionMode.class));

    private final InputRouting routing;

    public ParseAndRouteFunction(DestinationCatalog catalog) {
        this.routing = new InputRouting(catalog);
    }

    @Override
    public void open(OpenContext openContext) {
        routing.open(getRuntimeContext().getMetricGroup(), getRuntimeContext().getTaskInfo());
    }

    @Override
    public void processElement(RawEvent input, ReadOnlyContext ctx, Collector<RoutedBundle> out) throws Exception {
        ReadOnlyBroadcastState<String, SuppressionMode> suppressedByTopic = ctx.getBroadcastState(SUPPRESSED_USERS);
        routing.process(input, ctx.currentProcessingTime(), suppressedByTopic::get, ctx::output, out);
    }

    /**
     * Applies one record of the suppression topic. Every subtask gets every record, so only the first one
     * dead-letters a record that cannot be applied.
     */
    @Override
    public void processBroadcastElement(SuppressionChange change, Context ctx, Collector<RoutedBundle> out)
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
}
