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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Sends each batch once over non-blocking HTTP and reports how it went as a {@link DeliveryAttempt}; it never
 * fails the job: every error becomes an outcome (Segment's classes: 2xx delivered; 408, 423, 429, 5xx except 501,
 * timeouts and connection errors retryable; the rest permanent; 207 with per-item results, see
 * {@link PartialResponse}).
 *
 * <p>Each destination has a {@link DestinationLane}: a batch it holds back (pending Retry-After, open circuit, a
 * full backlog) is answered at once as {@link AttemptOutcome#DEFERRED} instead of waiting here, so a failing
 * destination never holds the Async I/O capacity that the healthy ones need, and the batch is parked durably by
 * the batcher until it is due. Retries are not made here either: every retry goes through the same parking.
 */
public final class HttpDeliveryFunction extends RichAsyncFunction<DeliveryBatch, DeliveryAttempt> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;
    private final HttpTransport.Factory transportFactory;

    private transient HttpTransport transport;
    private transient Map<String, DestinationLane> lanes;
    private transient DestinationMetrics metrics;

    public HttpDeliveryFunction(DestinationCatalog catalog, HttpTransport.Factory transportFactory) {
        this.catalog = catalog;
        this.transportFactory = transportFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        transport = transportFactory.create();
        metrics = new DestinationMetrics(getRuntimeContext().getMetricGroup(), catalog);
        lanes = new HashMap<>();
        for (DestinationConfig destination : catalog.deliveryTargets()) {
            DestinationLane lane = new DestinationLane(destination);
            lanes.put(destination.id(), lane);
            metrics.of(destination.id()).lane(lane);
        }
    }

    @Override
    public void asyncInvoke(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        DestinationConfig destination = catalog.get(batch.destinationId());
        DestinationLane lane = lanes.get(destination.id());
        long now = System.currentTimeMillis();
        DestinationLane.Hold hold = lane.admit(now);
        if (hold != null) {
            resultFuture.complete(List.of(DeliveryAttempt.deferred(batch, hold.reason(), now, hold.until())));
            return;
        }
        byte[] body = DeliveryRequests.body(batch, !destination.batching().isSingle());
        Map<String, String> headers = DeliveryRequests.headers(batch, destination.headers());
        String url = ActionUrl.of(destination, batch);
        // counted here, while the batch's events are in this thread's cache, not on the client's I/O thread
        int attemptNumber = attemptNumber(batch);
        lane.limiter().submit(() -> {
            long startedAt = System.currentTimeMillis();
            DestinationLane.Hold late = lane.heldAt(startedAt);
            if (late != null) {
                DeliveryAttempt deferred = DeliveryAttempt.deferred(batch, late.reason(), startedAt, late.until());
                lane.learn(deferred);
                return CompletableFuture.completedFuture(deferred);
            }
            long startNanos = System.nanoTime();
            return transport.send(destination.method(), url, headers, body, destination.delivery().timeoutMs())
                    .handle((response, error) -> classify(batch, attemptNumber, response, error, startedAt,
                            (System.nanoTime() - startNanos) / 1_000_000, System.currentTimeMillis()))
                    .thenApply(lane::learnAndTell);
        }).thenAccept(attempt -> resultFuture.complete(List.of(attempt)));
    }

    /** The operator-level timeout only fires if a request outlived its own timeout: report it, do not fail. */
    @Override
    public void timeout(DeliveryBatch batch, ResultFuture<DeliveryAttempt> resultFuture) {
        resultFuture.complete(List.of(new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 0,
                "timeout: no outcome within the async operator timeout", attemptNumber(batch),
                System.currentTimeMillis(), 0)));
    }

    static DeliveryAttempt classify(DeliveryBatch batch, HttpResult response, Throwable error, long startedAt,
            long latencyMs) {
        return classify(batch, attemptNumber(batch), response, error, startedAt, latencyMs, startedAt + latencyMs);
    }

    /**
     * As above, for {@code attempt}, the batch's attempt number (see {@link #attemptNumber}), with the answer in at
     * {@code answeredAt} (ms). A Retry-After's delay counts from then: the start plus a latency in whole
     * milliseconds can fall up to two milliseconds short of it, and a batch sent again at the end of that shorter
     * pause reached a throttling endpoint before the end of the pause it had asked for.
     */
    static DeliveryAttempt classify(DeliveryBatch batch, int attempt, HttpResult response, Throwable error,
            long startedAt, long latencyMs, long answeredAt) {
        if (error == null) {
            int status = response.status();
            AttemptOutcome outcome = AttemptOutcome.ofStatus(status);
            if (status == 207) {
                int[] items = PartialResponse.itemStatuses(response.body(), batch.events());
                long failed = Arrays.stream(items).filter(item -> item < 200 || item >= 300).count();
                if (failed > 0) {
                    return new DeliveryAttempt(batch, AttemptOutcome.PARTIAL, status,
                            "http 207: " + failed + " of " + items.length + " items failed", attempt, startedAt,
                            latencyMs, 0, items);
                }
            }
            String problem = outcome == AttemptOutcome.DELIVERED ? null : "http " + status;
            long notBefore = status == 429 || status == 503
                    ? RetryAfter.until(response.headers().get("retry-after"),
                            Math.max(answeredAt, startedAt + latencyMs))
                    : 0;
            return new DeliveryAttempt(batch, outcome, status, problem, attempt, startedAt, latencyMs, notBefore,
                    new int[0]);
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
        return new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 0, problem, attempt, startedAt, latencyMs);
    }

    /** The attempt number of the batch's most tried event (a stream batch mixes new and retried events). */
    private static int attemptNumber(DeliveryBatch batch) {
        int most = 0;
        for (var event : batch.events()) {
            most = Math.max(most, event.attempts());
        }
        return most + 1;
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
    }
}
