package dev.outflow.operators.delivery;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Non-blocking HTTP, as the delivery function needs it. The interface lets tests and benchmarks count or shape
 * requests without mocking; production uses {@link ApacheHttpTransport}.
 */
public interface HttpTransport extends AutoCloseable {

    /** Response bodies are read up to this size; endpoints only need to tell us a status and, rarely, items. */
    int MAX_RESPONSE_BYTES = 64 * 1024;

    /**
     * Sends one POST. The future fails with {@link java.util.concurrent.TimeoutException} when no full response
     * arrived within {@code timeoutMs}, or with the I/O error; it never blocks the caller.
     */
    CompletableFuture<HttpResult> post(String uri, Map<String, String> headers, byte[] body, long timeoutMs);

    /**
     * Sends one request with the given method (Actions destinations choose theirs), under the same contract as
     * {@link #post}. Transports that only POST need not override it.
     */
    default CompletableFuture<HttpResult> send(String method, String uri, Map<String, String> headers, byte[] body,
            long timeoutMs) {
        if ("POST".equals(method)) {
            return post(uri, headers, body, timeoutMs);
        }
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                getClass().getSimpleName() + " only sends POST, not " + method));
    }

    /**
     * Sends any request and reads the whole response (up to its size cap). Same failure contract as
     * {@link #post}. Transports that only deliver webhooks need not support it.
     */
    default CompletableFuture<HttpExchange.Response> exchange(HttpExchange request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                getClass().getSimpleName() + " only sends delivery POSTs"));
    }

    @Override
    void close();

    /** Creates the transport inside the task (transports hold sockets and threads, so they are not shipped). */
    interface Factory extends Serializable {
        HttpTransport create();
    }
}
