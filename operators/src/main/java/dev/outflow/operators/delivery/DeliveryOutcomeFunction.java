package dev.outflow.operators.delivery;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.metrics.DestinationMetrics;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.Durations;
import dev.outflow.schemas.catalog.RetryPolicy;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Turns each delivery attempt into what happens to each of its events:
 *
 * <ul>
 *   <li>delivered: one delivery-log line for all the attempt's delivered events (per HTTP status, for a 207);
 *   <li>refused for good (a permanent status, or its item of a 207): a dead letter and a log line;
 *   <li>failed in a retryable way, inside its retry window: handed back on {@link OutputTags#RETRIES} with its
 *       attempt recorded, due after a jittered exponential backoff (or the destination's Retry-After, if later);
 *   <li>failed in a retryable way after its window: a dead letter with its whole attempt history;
 *   <li>deferred (never sent): handed back unchanged, due when the destination can take it (for an open circuit,
 *       also after a wait that grows with how long the events have waited).
 * </ul>
 *
 * An attempt that {@link DeliveryAttempt#endsHold() ends a hold} also sends an empty {@link ParkedBatch#resume}
 * to each shard of the destination, so the batchers send what they parked while it was held.
 *
 * Stateless: a retry's state travels with the event (attempts, first-attempt time, history).
 */
public final class DeliveryOutcomeFunction extends ProcessFunction<DeliveryAttempt, DeliveryLogRecord> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;

    private transient DestinationMetrics metrics;
    private transient Random jitter;

    public DeliveryOutcomeFunction(DestinationCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
        catalog.destinations().forEach(destination -> metrics.of(destination.id()).deliverabilityGauges());
        jitter = new Random();
    }

    @Override
    public void processElement(DeliveryAttempt attempt, Context ctx, Collector<DeliveryLogRecord> out) {
        long now = ctx.timerService().currentProcessingTime();
        DeliveryBatch batch = attempt.batch();
        DestinationConfig destination = catalog.get(batch.destinationId());
        DestinationMetrics.Group group = metrics.of(destination.id());
        if (attempt.outcome() == AttemptOutcome.DEFERRED) {
            deferred(ctx, out, attempt, destination, group, now);
            return;
        }
        if (attempt.endsHold()) {
            // every shard's batcher parks the destination's traffic while it is held: tell each it may send again
            for (int shard = 0; shard < destination.batching().shards(); shard++) {
                ctx.output(OutputTags.RETRIES, ParkedBatch.resume(destination.id(), shard, now));
            }
        }
        if (attempt.outcome() != AttemptOutcome.DELIVERED) {
            group.failedAttempts().inc();
        }
        Map<Integer, List<RoutedEvent>> retriesByAttempts = new TreeMap<>();
        Map<Integer, List<DeliveryLogRecord.Event>> deliveredByStatus = new TreeMap<>();
        // counted here and added once per attempt, rather than two counter lookups by name and a boxed status
        // for every event
        long firstAttempts = 0;
        long firstAttemptsDelivered = 0;
        long deliveredEvents = 0;
        int lastStatus = -1;
        List<DeliveryLogRecord.Event> deliveredOfLastStatus = null;
        RoutedEvent[] events = batch.events();
        for (int i = 0; i < events.length; i++) {
            int status = attempt.outcome() != AttemptOutcome.PARTIAL
                    ? attempt.status()
                    : i < attempt.itemStatuses().length ? attempt.itemStatuses()[i] : 200;
            AttemptOutcome outcome = attempt.outcome() == AttemptOutcome.PARTIAL
                    ? AttemptOutcome.ofStatus(status)
                    : attempt.outcome();
            String error = attempt.outcome() == AttemptOutcome.PARTIAL
                    ? (outcome == AttemptOutcome.DELIVERED ? null : "http " + status + " (item of a 207)")
                    : attempt.error();
            RoutedEvent event = events[i];
            if (event.attempts() == 0) {
                firstAttempts++;
                if (outcome == AttemptOutcome.DELIVERED) {
                    firstAttemptsDelivered++;
                }
            }
            long latency = Math.max(0, now - event.routedAt());
            if (outcome == AttemptOutcome.DELIVERED) {
                // what withAttempt would record, without copying the event and its history: a delivered event
                // goes no further than this line of the delivery log
                int attempts = event.attempts() + 1;
                deliveredEvents++;
                group.latency().update(latency);
                if (attempts > 1) {
                    group.retryAge().update(Math.max(0, now - event.firstAttemptAt()));
                }
                if (status != lastStatus) {
                    lastStatus = status;
                    deliveredOfLastStatus = deliveredByStatus.computeIfAbsent(status,
                            unused -> new ArrayList<>(events.length));
                }
                deliveredOfLastStatus.add(
                        new DeliveryLogRecord.Event(event.messageId(), attempts, latency, event.origin()));
                continue;
            }
            RoutedEvent tried = event.withAttempt(attempt.toRecord(status, error));
            switch (outcome) {
                case RETRYABLE -> {
                    long windowEnd = tried.firstAttemptAt() + destination.delivery().retry().windowMs();
                    if (now >= windowEnd) {
                        group.expired().inc();
                        deadLetter(ctx, out, group, tried, "retryable: retry window of "
                                + Durations.describe(destination.delivery().retry().windowMs()) + " expired after "
                                + tried.attempts() + (tried.attempts() == 1 ? " attempt" : " attempts") + ", last: "
                                + error, true, status, latency, now);
                    } else {
                        retriesByAttempts.computeIfAbsent(tried.attempts(), n -> new ArrayList<>()).add(tried);
                    }
                }
                default -> deadLetter(ctx, out, group, tried, "permanent: " + error, false, status, latency, now);
            }
        }
        group.firstAttempts(firstAttempts, firstAttemptsDelivered);
        group.delivered().inc(deliveredEvents);
        deliveredByStatus.forEach((status, delivered) -> out.collect(new DeliveryLogRecord(destination.id(),
                DeliveryStatus.DELIVERED, null, status, now, delivered)));
        retriesByAttempts.forEach((attempts, due) -> park(ctx, destination, batch.shard(), due, attempts,
                attempt.notBefore(), now, group));
    }

    /**
     * A batch the destination could not take yet goes back unchanged, except for events whose retry window has
     * ended while they were held back: they are dead-lettered rather than kept waiting for a destination that
     * stays unavailable. The window of an event never attempted counts from its routing.
     */
    private void deferred(Context ctx, Collector<DeliveryLogRecord> out, DeliveryAttempt attempt,
            DestinationConfig destination, DestinationMetrics.Group group, long now) {
        group.deferred().inc();
        long window = destination.delivery().retry().windowMs();
        List<RoutedEvent> waiting = new ArrayList<>(attempt.batch().size());
        // the first window end among the waiting events: they come back when the lane expects to take them, but no
        // later than that, so an event the destination cannot take within its window is dead-lettered then
        long firstWindowEnd = Long.MAX_VALUE;
        long lastRouted = Long.MIN_VALUE;
        for (RoutedEvent event : attempt.batch().events()) {
            long windowEnd = event.retryWindowEnd(window);
            if (now < windowEnd) {
                waiting.add(event);
                firstWindowEnd = Math.min(firstWindowEnd, windowEnd);
                lastRouted = Math.max(lastRouted, event.routedAt());
                continue;
            }
            group.expired().inc();
            AttemptRecord last = event.lastAttempt();
            deadLetter(ctx, out, group, event, "retryable: retry window of " + Durations.describe(window)
                    + " expired after " + event.attempts() + (event.attempts() == 1 ? " attempt" : " attempts")
                    + ", last: " + (last == null ? "never sent" : last.error()) + "; held back: " + attempt.error(),
                    true, last == null ? 0 : last.status(), Math.max(0, now - event.routedAt()), now);
        }
        if (!waiting.isEmpty()) {
            long until = attempt.notBefore();
            if (DestinationLane.CIRCUIT_OPEN.equals(attempt.error())) {
                // Every batch held back by an open circuit would otherwise come due at the circuit's next probe,
                // all of them together: the lane sends one and holds back the rest again, so a long outage would
                // move (and rewrite in the batcher's state) everything parked for the destination once per probe
                // interval. Backing off by how long they have waited moves it once per maxWait at most.
                until = Math.max(until,
                        now + destination.delivery().retry().holdBackoffMs(now - lastRouted, jitter.nextDouble()));
            }
            DeliveryBatch batch = attempt.batch();
            ctx.output(OutputTags.RETRIES, new ParkedBatch(batch.destinationId(), batch.shard(),
                    waiting.toArray(RoutedEvent[]::new), Math.max(now, Math.min(until, firstWindowEnd)),
                    destination.batching().isBulk(), DestinationLane.holdsDestination(attempt.error())));
        }
    }

    /**
     * Events that failed the same number of times share a backoff; a Retry-After later than it wins, but an event
     * is never held past the end of its window (it gets one last attempt there).
     */
    private void park(Context ctx, DestinationConfig destination, int shard, List<RoutedEvent> events, int attempts,
            long notBefore, long now, DestinationMetrics.Group group) {
        RetryPolicy retry = destination.delivery().retry();
        long windowEnd = Long.MAX_VALUE;
        for (RoutedEvent event : events) {
            windowEnd = Math.min(windowEnd, event.firstAttemptAt() + retry.windowMs());
        }
        long backoffDue = Math.min(now + retry.backoffMs(attempts, jitter.nextDouble()), windowEnd);
        long due = Math.max(backoffDue, notBefore);
        group.retried().inc(events.size());
        // a failure that left the destination held (its circuit opened, a Retry-After) says so to the batcher
        ctx.output(OutputTags.RETRIES, new ParkedBatch(destination.id(), shard, events.toArray(RoutedEvent[]::new),
                due, destination.batching().isBulk(), notBefore > now));
    }

    private static void deadLetter(Context ctx, Collector<DeliveryLogRecord> out, DestinationMetrics.Group group,
            RoutedEvent event, String reason, boolean retryable, int status, long latency, long now) {
        group.deadLettered().inc();
        ctx.output(OutputTags.DEAD_LETTERS, DeadLetter.undeliverable(event, reason, retryable, event.history(), now));
        out.collect(DeliveryLogRecord.of(event.messageId(), event.destinationId(), DeliveryStatus.DEAD_LETTERED,
                reason, status, event.attempts(), latency, now, event.origin()));
    }
}
