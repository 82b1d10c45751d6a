package dev.outflow.operators.testutils;

import dev.outflow.operators.routing.ChainedParseAndRouteFunction;
import dev.outflow.operators.routing.ParseAndRouteFunction;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

import java.util.Arrays;
import java.util.List;

/**
 * The routing stage as the job runs it, in a harness with a real environment, so tests also read the metrics it
 * updates: a broadcast operator (events on one input, the suppression topic on the other; Flink's own
 * {@code BroadcastOperatorTestHarness} takes no environment), or, for a catalog without a suppression topic, the
 * one-input operator chained to the source.
 */
public final class RoutingHarness extends AbstractStreamOperatorTestHarness<RoutedBundle> {

    private final CoBroadcastWithNonKeyedOperator<RawEvent, SuppressionChange, RoutedBundle> broadcastRouting;
    private final ProcessOperator<RawEvent, RoutedBundle> chainedRouting;

    public RoutingHarness(ParseAndRouteFunction function, MockEnvironment environment) throws Exception {
        this(new CoBroadcastWithNonKeyedOperator<>(function, List.of(ParseAndRouteFunction.SUPPRESSED_USERS)), null,
                environment);
    }

    public RoutingHarness(ChainedParseAndRouteFunction function, MockEnvironment environment) throws Exception {
        this(null, new ProcessOperator<>(function), environment);
    }

    private RoutingHarness(CoBroadcastWithNonKeyedOperator<RawEvent, SuppressionChange, RoutedBundle> broadcastRouting,
            ProcessOperator<RawEvent, RoutedBundle> chainedRouting, MockEnvironment environment) throws Exception {
        super(broadcastRouting != null ? broadcastRouting : chainedRouting, environment);
        this.broadcastRouting = broadcastRouting;
        this.chainedRouting = chainedRouting;
    }

    public void processElement(StreamRecord<RawEvent> record) throws Exception {
        if (broadcastRouting != null) {
            broadcastRouting.processElement1(record);
        } else {
            chainedRouting.processElement(record);
        }
    }

    /** The routed pairs emitted so far, bundle after bundle. */
    public List<RoutedEvent> routedEvents() {
        return extractOutputValues().stream().flatMap(bundle -> Arrays.stream(bundle.events())).toList();
    }

    public void processBroadcastElement(SuppressionChange change) throws Exception {
        broadcastRouting.processElement2(new StreamRecord<>(change));
    }

    /** The suppression list this subtask holds. */
    public BroadcastState<String, SuppressionMode> suppressedUsers() throws Exception {
        return broadcastRouting.getOperatorStateBackend().getBroadcastState(ParseAndRouteFunction.SUPPRESSED_USERS);
    }
}
