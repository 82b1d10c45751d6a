package dev.outflow.operators.delivery;

import dev.outflow.operators.metrics.DestinationMetrics;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.net.ConnectException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Sends each batch once over non-blocking HTTP and reports how it went as a {@link DeliveryAttempt}; it never
 * fails the job: every error becomes an outcome (Segment's classes: 2xx delivered; 408, 423, 429, 5xx except 501,
 * timeouts and connection errors retryable; the rest permanent).
 *
 * <p>Requests per destination are capped by its {@code maxConcurrency}; work over the cap waits in a queue
 * without holding the task thread.
 */
public final class HttpDeliveryFunction extends RichAsyncFunction<DeliveryBatch, DeliveryAttempt> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;
    private final HttpTransport.Factory transportFactory;

    private transient HttpTransport transport;
    private transient Map<String, ConcurrencyLimiter> limiters;
    private transient DestinationMetrics metrics;

    public HttpDeliveryFunction(DestinationCatalog catalog, HttpTransport.Factory transportFactory) {
        this.catalog = catalog;
        this.transportFactory = transportFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        transport = transportFactory.create();
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
        limiters = new HashMap<>();
        for (DestinationConfig destination : catalog.deliveryTargets()) {
            ConcurrencyLimiter limiter = new ConcurrencyLimiter(destination.delivery().maxConcurrency());
            limiters.put(destination.id(), limiter);
            metrics.of(destination.id()).inFlight(() -> limiter.running() + limiter.waiting());
        }
    }

    @Override
    public void asyncInvoke(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        DestinationConfig destination = catalog.get(batch.destinationId());
        byte[] body = DeliveryRequests.body(batch, !destination.batching().isSingle());
        Map<String, String> headers = DeliveryRequests.headers(batch, destination.headers());
        String url = ActionUrl.of(destination, batch);
        limiters.get(destination.id()).submit(() -> {
            long startedAt = System.currentTimeMillis();
            long startNanos = System.nanoTime();
            return transport.send(destination.method(), url, headers, body, destination.delivery().timeoutMs())
                    .handle((response, error) -> classify(batch, response, error, startedAt,
                            (System.nanoTime() - startNanos) / 1_000_000));
        }).thenAccept(attempt -> resultFuture.complete(List.of(attempt)));
    }

    /** The operator-level timeout only fires if a request outlived its own timeout: report it, do not fail. */
    @Override
    public void timeout(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        resultFuture.complete(List.of(new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 0,
                "timeout: no outcome within the async operator timeout", 1, System.currentTimeMillis(), 0)));
    }

    static DeliveryAttempt classify(DeliveryBatch batch, HttpResult response, Throwable error, long startedAt,
            long latencyMs) {
        if (error == null) {
            AttemptOutcome outcome = AttemptOutcome.ofStatus(response.status());
            String problem = outcome == AttemptOutcome.DELIVERED ? null : "http " + response.status();
            return new DeliveryAttempt(batch, outcome, response.status(), problem, 1, startedAt, latencyMs);
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String problem;
        if (cause instanceof TimeoutException || cause instanceof java.net.SocketTimeoutException) {
            problem = "timeout: " + cause.getMessage();
        } else if (cause instanceof ConnectException) {
            problem = "connection failed: " + cause.getMessage();
        } else {
            problem = "request failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        return new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 0, problem, 1, startedAt, latencyMs);
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
    }
}
