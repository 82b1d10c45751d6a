package dev.outflow.operators.testutils;

import dev.outflow.operators.routing.ParseAndRouteFunction;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

import java.util.List;

/**
 * The routing stage as the job runs it (a broadcast operator: events on one input, the suppression topic on the
 * other) in a harness with a real environment, so tests also read the metrics it updates. Flink's own
 * {@code BroadcastOperatorTestHarness} takes no environment.
 */
public final class RoutingHarness extends AbstractStreamOperatorTestHarness<RoutedEvent> {

    private final CoBroadcastWithNonKeyedOperator<RawEvent, SuppressionChange, RoutedEvent> routing;

    public RoutingHarness(ParseAndRouteFunction function, MockEnvironment environment) throws Exception {
        this(new CoBroadcastWithNonKeyedOperator<>(function, List.of(ParseAndRouteFunction.SUPPRESSED_USERS)),
                environment);
    }

    private RoutingHarness(CoBroadcastWithNonKeyedOperator<RawEvent, SuppressionChange, RoutedEvent> routing,
            MockEnvironment environment) throws Exception {
        super(routing, environment);
        this.routing = routing;
    }

    public void processElement(StreamRecord<RawEvent> record) throws Exception {
        routing.processElement1(record);
    }

    public void processBroadcastElement(SuppressionChange change) throws Exception {
        routing.processElement2(new StreamRecord<>(change));
    }

    /** The suppression list this subtask holds. */
    public BroadcastState<String, SuppressionMode> suppressedUsers() throws Exception {
        return routing.getOperatorStateBackend().getBroadcastState(ParseAndRouteFunction.SUPPRESSED_USERS);
    }
}
