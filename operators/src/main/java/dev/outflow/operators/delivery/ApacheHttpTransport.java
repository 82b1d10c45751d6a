package dev.outflow.operators.delivery;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link HttpTransport} on Apache HttpClient 5 async: one I/O reactor thread, pooled keep-alive connections, and a
 * thread for the requests' deadlines.
 * Chosen over {@code java.net.http}, which measured 6 to 12 times the CPU per request here.
 */
public final class ApacheHttpTransport implements HttpTransport {

    private static final Set<String> KEPT_HEADERS = Set.of("retry-after", "content-type");
    /** Headers the client sets itself; a caller's copy would clash with them. */
    private static final Set<String> HOP_BY_HOP =
            Set.of("host", "connection", "content-length", "transfer-encoding", "expect", "upgrade", "keep-alive");

    /**
     * Connections the pool may hold per request the callers keep in flight. A destination at its limit sends its
     * next request from the completion of the last one ({@link ConcurrencyLimiter}), before the client has put that
     * one's connection back, so it briefly needs a connection more than its limit; and as traffic shifts, one
     * destination's connections sit idle while another's are all busy. A pool sized at the limits' sum was full at
     * those moments and made room by closing its least recently used idle connection, another destination's: in the
     * throughput benchmark (three destinations at 8 requests each) about 13 connections a second were closed and
     * opened again, each a new TCP connection (a TLS handshake against a real service) and a new thread in the local
     * endpoints; in {@code ApacheHttpTransportTest}, 35 connections for one destination's 400 requests.
     * At twice the sum the pool never fills (a destination holds at most its limit and one more): none in the
     * benchmark, 9 in the test.
     */
    static final int POOL_HEADROOM = 2;

    private final CloseableHttpAsyncClient client;
    /**
     * Each request's deadline, on a thread of this transport's, dropped from the queue as soon as the request
     * completes. {@code CompletableFuture.orTimeout}, used before, cancels its timeout task on completion but leaves
     * it in the JDK's shared delay queue until it comes due: as many tasks held as requests sent over the last
     * timeout, each living long enough for the garbage collector to promote it (at the default 10 s timeout, a
     * destination of single events sent 20,000 requests a second would keep 200,000).
     */
    private final ScheduledThreadPoolExecutor deadlines;

    /**
     * @param maxConnections how many requests the callers keep in flight at most (the destinations' concurrency
     *     limits summed); the pool keeps room for twice as many connections, see {@link #POOL_HEADROOM}
     */
    public ApacheHttpTransport(int maxConnections) {
        int poolSize = POOL_HEADROOM * maxConnections;
        PoolingAsyncClientConnectionManager connections = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(poolSize)
                .setMaxConnPerRoute(poolSize)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofSeconds(10))
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .build())
                .build();
        client = HttpAsyncClients.custom()
                .setConnectionManager(connections)
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setTcpNoDelay(true).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("outflow/0.1")
                .build();
        client.start();
        deadlines = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "outflow-http-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        deadlines.setRemoveOnCancelPolicy(true);
    }

    /** The factory the job uses: serializable, creates the client in the task. */
    public static Factory factory(int maxConnections) {
        return () -> new ApacheHttpTransport(maxConnections);
    }

    @Override
    public CompletableFuture<HttpResult> post(String uri, Map<String, String> headers, byte[] body, long timeoutMs) {
        return send("POST", uri, headers, body, timeoutMs);
    }

    @Override
    public CompletableFuture<HttpResult> send(String method, String uri, Map<String, String> headers, byte[] body,
            long timeoutMs) {
        SimpleRequestBuilder builder = SimpleRequestBuilder.create(method).setUri(uri)
                .setBody(body, ContentType.APPLICATION_JSON);
        headers.forEach(builder::setHeader);
        builder.setRequestConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(timeoutMs))
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeoutMs))
                .build());
        SimpleHttpRequest request = builder.build();
        CompletableFuture<HttpResult> result = new CompletableFuture<>();
        Future<SimpleHttpResponse> call = client.execute(SimpleRequestProducer.create(request),
                SimpleResponseConsumer.create(), new FutureCallback<>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        result.complete(toResult(response));
                    }

                    @Override
                    public void failed(Exception error) {
                        result.completeExceptionally(error);
                    }

                    @Override
                    public void cancelled() {
                        result.completeExceptionally(noResponseWithin(timeoutMs));
                    }
                });
        boundInTime(result, call, timeoutMs);
        return result;
    }

    @Override
    public CompletableFuture<HttpExchange.Response> exchange(HttpExchange exchange) {
        SimpleRequestBuilder builder = SimpleRequestBuilder.create(exchange.method()).setUri(exchange.uri());
        ContentType contentType = null;
        for (Map.Entry<String, String> header : exchange.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-type")) {
                contentType = ContentType.parseLenient(header.getValue());
            } else if (!HOP_BY_HOP.contains(name)) {
                builder.addHeader(header.getKey(), header.getValue());
            }
        }
        if (exchange.body() != null) {
            builder.setBody(exchange.body(), contentType != null ? contentType : ContentType.TEXT_PLAIN);
        }
        builder.setRequestConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.ofMilliseconds(exchange.timeoutMs()))
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(exchange.timeoutMs()))
                .build());
        CompletableFuture<HttpExchange.Response> result = new CompletableFuture<>();
        Future<HttpExchange.Response> call = client.execute(SimpleRequestProducer.create(builder.build()),
                new BoundedResponseConsumer(exchange.maxResponseBytes()), new FutureCallback<>() {
                    @Override
                    public void completed(HttpExchange.Response response) {
                        result.complete(response);
                    }

                    @Override
                    public void failed(Exception error) {
                        result.completeExceptionally(error);
                    }

                    @Override
                    public void cancelled() {
                        result.completeExceptionally(noResponseWithin(exchange.timeoutMs()));
                    }
                });
        boundInTime(result, call, exchange.timeoutMs());
        return result;
    }

    /**
     * Fails {@code result} with a {@link TimeoutException} and cancels the call if no response has come within
     * {@code timeoutMs}: the client's response timeout is per socket read, this bounds the whole exchange, connect
     * included.
     */
    private void boundInTime(CompletableFuture<?> result, Future<?> call, long timeoutMs) {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            if (result.completeExceptionally(noResponseWithin(timeoutMs))) {
                call.cancel(true);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        result.whenComplete((ok, error) -> deadline.cancel(false));
    }

    /** How a request that ran out of time fails, whether its deadline or the client cancelled it. */
    private static TimeoutException noResponseWithin(long timeoutMs) {
        return new TimeoutException("no response within " + timeoutMs + " ms");
    }

    /** Deadlines of requests not yet completed. */
    int pendingDeadlines() {
        return deadlines.getQueue().size();
    }

    private static HttpResult toResult(SimpleHttpResponse response) {
        Map<String, String> kept = new HashMap<>(2);
        for (Header header : response.getHeaders()) {
            String name = header.getName().toLowerCase(Locale.ROOT);
            if (KEPT_HEADERS.contains(name)) {
                kept.put(name, header.getValue());
            }
        }
        byte[] body = response.getBodyBytes();
        if (body == null) {
            body = new byte[0];
        } else if (body.length > MAX_RESPONSE_BYTES) {
            body = Arrays.copyOf(body, MAX_RESPONSE_BYTES);
        }
        return new HttpResult(response.getCode(), kept, body);
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
        deadlines.shutdownNow();
    }
}
