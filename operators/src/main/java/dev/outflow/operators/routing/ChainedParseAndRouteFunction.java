package dev.outflow.operators.routing;

import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage for a catalog without a suppression topic: what {@link ParseAndRouteFunction} does, with the
 * catalog's own privacy rules only. It has one input, so Flink chains it to the Kafka source: each record is
 * handed over as it is read instead of being serialized across the job's network stack and read back (a broadcast
 * operator has two inputs and never chains to its source). Stateless.
 */
public final class ChainedParseAndRouteFunction extends ProcessFunction<RawEvent, RoutedBundle> {

    private static final long serialVersionUID = 1L;

    private final InputRouting routing;

    public ChainedParseAndRouteFunction(DestinationCatalog catalog) {
        this.routing = new InputRouting(catalog);
    }

    @Override
    public void open(OpenContext openContext) {
        routing.open(getRuntimeContext().getMetricGroup(), getRuntimeContext().getTaskInfo());
    }

    @Override
    public void processElement(RawEvent input, Context ctx, Collector<RoutedBundle> out) throws Exception {
        routing.process(input, ctx.timerService().currentProcessingTime(), userId -> null, ctx::output, out);
    }
}
