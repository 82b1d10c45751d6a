package dev.outflow.functions;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.operators.delivery.ConcurrencyLimiter;
import dev.outflow.operators.delivery.HttpTransport;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.DestinationType;
import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.Json;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Delivers batches of {@code function} destinations by running the destination's JavaScript: {@code onBatch}
 * with the whole batch when the destination batches and the code defines it, otherwise the event type's handler
 * once per event. Reports
 * one {@link DeliveryAttempt} per group of events that ended the same way, so a partly failed batch is retried
 * (or dead-lettered) only for the events that failed; the outcome classes are the HTTP delivery's.
 *
 * <p>Each subtask runs one sandbox per function destination, each on its own event-loop thread; all share the
 * JVM's engine. Invocations per destination are capped by its {@code maxConcurrency}.
 */
public final class FunctionDeliveryFunction extends RichAsyncFunction<DeliveryBatch, DeliveryAttempt> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;
    private final HttpTransport.Factory transportFactory;
    private final SettingsKeySource keySource;

    private transient HttpTransport transport;
    private transient Map<String, FunctionInstance> instances;
    private transient Map<String, ConcurrencyLimiter> limiters;
    private transient Map<String, Map<FunctionOutcome, Counter>> outcomeCounters;

    public FunctionDeliveryFunction(DestinationCatalog catalog, HttpTransport.Factory transportFactory,
            SettingsKeySource keySource) {
        this.catalog = catalog;
        this.transportFactory = transportFactory;
        this.keySource = keySource;
    }

    /** Whether the catalog has any function destination (the job adds this operator only then). */
    public static boolean anyFunction(DestinationCatalog catalog) {
        return catalog.destinations().stream().anyMatch(FunctionDeliveryFunction::isFunction);
    }

    public static boolean isFunction(DestinationConfig destination) {
        return destination.type() == DestinationType.FUNCTION;
    }

    @Override
    public void open(OpenContext openContext) {
        transport = transportFactory.create();
        FunctionEngine.warmUp();
        SettingsCipher cipher = keySource.cipher();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        instances = new HashMap<>();
        limiters = new HashMap<>();
        outcomeCounters = new HashMap<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        for (DestinationConfig destination : catalog.destinations()) {
            if (!isFunction(destination)) {
                continue;
            }
            FunctionSettings settings = FunctionSettings.resolve(destination.function(), cipher);
            instances.put(destination.id(), new FunctionInstance(destination.id() + "-" + subtask,
                    destination.function().codeFile(), destination.function().code(), settings.json(),
                    settings.secrets(), transport,
                    FunctionInstance.Limits.DEFAULTS.withTimeoutMs(destination.delivery().timeoutMs())));
            ConcurrencyLimiter limiter = new ConcurrencyLimiter(destination.delivery().maxConcurrency());
            limiters.put(destination.id(), limiter);
            MetricGroup group = metrics.addGroup("destination", destination.id());
            group.gauge("functionInFlight", () -> limiter.running() + limiter.waiting());
            Map<FunctionOutcome, Counter> counters = new LinkedHashMap<>();
            for (FunctionOutcome outcome : FunctionOutcome.values()) {
                counters.put(outcome, group.addGroup("category", outcome.category()).counter("functionOutcomes"));
            }
            outcomeCounters.put(destination.id(), counters);
        }
    }

    @Override
    public void asyncInvoke(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        FunctionInstance function = instances.get(batch.destinationId());
        limiters.get(batch.destinationId())
                .submit(() -> deliver(function, batch))
                .thenAccept(resultFuture::complete);
    }

    /** Never fails: every problem becomes an attempt outcome. */
    CompletableFuture<List<DeliveryAttempt>> deliver(FunctionInstance function, DeliveryBatch batch) {
        long startedAt = System.currentTimeMillis();
        Map<FunctionOutcome, Counter> counters = outcomeCounters.get(batch.destinationId());
        // as on Segment: with batching on, onBatch gets every batch (even of one); otherwise the event handlers
        if (!catalog.get(batch.destinationId()).batching().isSingle() && function.handlers().contains("onBatch")) {
            return function.invoke("batch", payloadArray(batch)).thenApply(result -> {
                List<EventOutcome> outcomes = batchOutcomes(batch, result);
                outcomes.forEach(outcome -> counters.get(outcome.category).inc());
                return group(batch, outcomes, startedAt, result.durationNanos() / 1_000_000);
            });
        }
        List<CompletableFuture<EventOutcome>> calls = new ArrayList<>();
        for (RoutedEvent event : batch.events()) {
            calls.add(function.invoke(event.eventType(), new String(event.payload(), StandardCharsets.UTF_8))
                    .thenApply(result -> {
                        counters.get(result.outcome()).inc();
                        return new EventOutcome(event, result.outcome(), result.outcome().attemptOutcome(), 0,
                                result.describe());
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<EventOutcome> outcomes = calls.stream().map(CompletableFuture::join).toList();
            return group(batch, outcomes, startedAt, System.currentTimeMillis() - startedAt);
        });
    }

    /** How one event ended. */
    private record EventOutcome(RoutedEvent event, FunctionOutcome category, AttemptOutcome outcome, int status,
            String error) {}

    /**
     * An error thrown by {@code onBatch} applies to every event; otherwise the returned array may give each
     * event a {@code {status, errormessage}}, classified like HTTP statuses (only 5xx-like ones are retried).
     */
    private static List<EventOutcome> batchOutcomes(DeliveryBatch batch, InvocationResult result) {
        List<EventOutcome> outcomes = new ArrayList<>();
        JsonNode statuses = null;
        if (result.outcome() == FunctionOutcome.OK && result.value() != null) {
            try {
                statuses = Json.MAPPER.readTree(result.value());
            } catch (IOException notJson) {
                statuses = null;
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            RoutedEvent event = batch.events()[i];
            if (result.outcome() != FunctionOutcome.OK) {
                outcomes.add(new EventOutcome(event, result.outcome(), result.outcome().attemptOutcome(), 0,
                        result.describe()));
                continue;
            }
            JsonNode entry = statuses != null && statuses.isArray() ? statuses.get(i) : null;
            JsonNode status = entry == null ? null : entry.get("status");
            if (status == null || !status.isNumber()) {
                outcomes.add(new EventOutcome(event, FunctionOutcome.OK, AttemptOutcome.DELIVERED, 0, null));
                continue;
            }
            AttemptOutcome outcome = AttemptOutcome.ofStatus(status.asInt());
            JsonNode message = entry.get("errormessage");
            String error = outcome == AttemptOutcome.DELIVERED ? null : "function batch status " + status.asInt()
                    + (message == null || message.isNull() ? "" : ": " + message.asText());
            FunctionOutcome category = switch (outcome) {
                case DELIVERED -> FunctionOutcome.OK;
                case RETRYABLE -> FunctionOutcome.RETRY;
                default -> FunctionOutcome.BAD_REQUEST;
            };
            outcomes.add(new EventOutcome(event, category, outcome, status.asInt(), error));
        }
        return outcomes;
    }

    /** One attempt per (outcome, status, error), events in batch order, so retries carry only what failed. */
    private static List<DeliveryAttempt> group(DeliveryBatch batch, List<EventOutcome> outcomes, long startedAt,
            long latencyMs) {
        Map<List<Object>, List<RoutedEvent>> groups = new LinkedHashMap<>();
        Map<List<Object>, EventOutcome> firsts = new HashMap<>();
        for (EventOutcome outcome : outcomes) {
            List<Object> key = Arrays.asList(outcome.outcome, outcome.status, outcome.error);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(outcome.event);
            firsts.putIfAbsent(key, outcome);
        }
        List<DeliveryAttempt> attempts = new ArrayList<>();
        groups.forEach((key, events) -> {
            EventOutcome first = firsts.get(key);
            DeliveryBatch part = events.size() == batch.size() ? batch : new DeliveryBatch(batch.destinationId(),
                    batch.shard(), events.toArray(RoutedEvent[]::new),
                    events.stream().mapToLong(e -> e.payload().length).sum(), batch.formedAt());
            attempts.add(new DeliveryAttempt(part, first.outcome, first.status, first.error, attemptNumber(part),
                    startedAt, latencyMs));
        });
        return attempts;
    }

    /** The attempt number of the batch's most tried event (a stream batch mixes new and retried events). */
    private static int attemptNumber(DeliveryBatch batch) {
        int most = 0;
        for (RoutedEvent event : batch.events()) {
            most = Math.max(most, event.attempts());
        }
        return most + 1;
    }

    private static String payloadArray(DeliveryBatch batch) {
        StringBuilder json = new StringBuilder("[");
        for (RoutedEvent event : batch.events()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(new String(event.payload(), StandardCharsets.UTF_8));
        }
        return json.append(']').toString();
    }

    /** The operator-level timeout only fires if invocations outlived their own limit: report it, do not fail. */
    @Override
    public void timeout(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        resultFuture.complete(List.of(new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 0,
                "function timeout: no outcome within the async operator timeout", attemptNumber(batch),
                System.currentTimeMillis(), 0)));
    }

    @Override
    public void close() {
        if (instances != null) {
            instances.values().forEach(FunctionInstance::close);
        }
        if (transport != null) {
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "FunctionDeliveryFunction[" + Objects.requireNonNull(catalog).source() + "]";
    }
}
