package dev.outflow.operators.delivery;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.metrics.DestinationMetrics;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each delivery attempt into its per-event records: a delivery-log line for every event, and a dead letter
 * for every event that was not delivered. Retryable failures are dead-lettered marked {@code retryable}.
 */
public final class DeliveryOutcomeFunction extends ProcessFunction<DeliveryAttempt, DeliveryLogRecord> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;

    private transient DestinationMetrics metrics;

    public DeliveryOutcomeFunction(DestinationCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
    }

    @Override
    public void processElement(DeliveryAttempt attempt, Context ctx, Collector<DeliveryLogRecord> out) {
        long now = ctx.timerService().currentProcessingTime();
        DestinationMetrics.Group destination = metrics.of(attempt.batch().destinationId());
        if (attempt.outcome() != AttemptOutcome.DELIVERED) {
            destination.failedAttempts().inc();
        }
        for (RoutedEvent event : attempt.batch().events()) {
            long latency = Math.max(0, now - event.routedAt());
            if (attempt.outcome() == AttemptOutcome.DELIVERED) {
                destination.delivered().inc();
                destination.latency().update(latency);
                out.collect(new DeliveryLogRecord(event.messageId(), event.destinationId(), DeliveryStatus.DELIVERED,
                        null, attempt.status(), attempt.attempt(), latency, now, event.origin()));
                continue;
            }
            boolean retryable = attempt.outcome() == AttemptOutcome.RETRYABLE;
            String reason = (retryable ? "retryable: " : "permanent: ") + attempt.error();
            destination.deadLettered().inc();
            ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.undeliverable(event, reason, retryable,
                    new AttemptRecord[] {attempt.toRecord()}, now));
            out.collect(new DeliveryLogRecord(event.messageId(), event.destinationId(), DeliveryStatus.DEAD_LETTERED,
                    reason, attempt.status(), attempt.attempt(), latency, now, event.origin()));
        }
    }
}
