package dev.outflow.operators.batching;

import dev.outflow.schemas.catalog.BatchingConfig;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Forms delivery batches per destination shard (the key, see {@link RoutedEvent#routeKey()}) in keyed state:
 * a batch goes out when it reaches the destination's max events or max bytes, or when its first event has waited
 * max wait (a processing-time timer).
 *
 * <p>State is cleared on every flush, and the timer deleted with it, so an idle key holds nothing. A destination
 * with {@code maxEvents: 1} never touches state: each event is its own batch.
 */
public final class DestinationBatcher extends KeyedProcessFunction<String, RoutedEvent, DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    /** Events of the open batch. Cleared by {@link #flush}. */
    public static final ListStateDescriptor<RoutedEvent> BUFFER =
            new ListStateDescriptor<>("batch-buffer", RoutedEvent.class);

    /** Count, bytes and deadline of the open batch. Cleared by {@link #flush}. */
    public static final ValueStateDescriptor<BatchProgress> PROGRESS =
            new ValueStateDescriptor<>("batch-progress", BatchProgress.class);

    private final DestinationCatalog catalog;

    private transient ListState<RoutedEvent> buffer;
    private transient ValueState<BatchProgress> progress;

    public DestinationBatcher(DestinationCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void open(OpenContext openContext) {
        buffer = getRuntimeContext().getListState(BUFFER);
        progress = getRuntimeContext().getState(PROGRESS);
    }

    @Override
    public void processElement(RoutedEvent event, Context ctx, Collector<DeliveryBatch> out) throws Exception {
        BatchingConfig limits = catalog.get(event.destinationId()).batching();
        long now = ctx.timerService().currentProcessingTime();
        BatchProgress open = progress.value();
        long size = event.payload().length;
        if (open == null && (limits.isSingle() || size >= limits.maxBytes())) {
            out.collect(new DeliveryBatch(event.destinationId(), event.shard(), new RoutedEvent[] {event}, size, now));
            return;
        }
        if (open != null && open.bytes() + size > limits.maxBytes()) {
            // Adding it would overflow the byte limit: send what is there and start afresh with this event.
            flush(ctx, out, open);
            open = null;
        }
        if (open == null) {
            open = new BatchProgress(0, 0, now + limits.maxWaitMs());
            ctx.timerService().registerProcessingTimeTimer(open.deadline());
        }
        buffer.add(event);
        open = new BatchProgress(open.count() + 1, open.bytes() + size, open.deadline());
        if (open.count() >= limits.maxEvents() || open.bytes() >= limits.maxBytes()) {
            flush(ctx, out, open);
        } else {
            progress.update(open);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DeliveryBatch> out) throws Exception {
        BatchProgress open = progress.value();
        if (open != null && open.deadline() == timestamp) {
            flush(ctx, out, open);
        }
    }

    private void flush(Context ctx, Collector<DeliveryBatch> out, BatchProgress open) throws Exception {
        List<RoutedEvent> events = new ArrayList<>(open.count());
        for (RoutedEvent event : buffer.get()) {
            events.add(event);
        }
        buffer.clear();
        progress.clear();
        ctx.timerService().deleteProcessingTimeTimer(open.deadline());
        if (events.isEmpty()) {
            return;
        }
        RoutedEvent first = events.get(0);
        out.collect(new DeliveryBatch(first.destinationId(), first.shard(), events.toArray(RoutedEvent[]::new),
                open.bytes(), ctx.timerService().currentProcessingTime()));
    }
}
