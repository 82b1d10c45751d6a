package dev.outflow.functions;

import dev.outflow.operators.delivery.HttpExchange;
import dev.outflow.operators.delivery.HttpResult;
import dev.outflow.operators.delivery.HttpTransport;

import java.net.URI;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers requests to some hosts with canned responses, so they never leave the machine; everything else goes
 * to the real transport, created only if needed. What {@code outflow functions test --stub} uses.
 */
public final class StubbingTransport implements HttpTransport {

    private final Map<String, HttpExchange.Response> stubs;
    private final Supplier<HttpTransport> network;
    private final Set<String> answered = new HashSet<>();
    private HttpTransport delegate;

    /**
     * @param stubs response by {@code host} or {@code host:port} (lower case)
     * @param network creates the real transport for other hosts
     */
    public StubbingTransport(Map<String, HttpExchange.Response> stubs, Supplier<HttpTransport> network) {
        this.stubs = Map.copyOf(stubs);
        this.network = network;
    }

    @Override
    public CompletableFuture<HttpExchange.Response> exchange(HttpExchange request) {
        HttpExchange.Response stub = stubFor(request.uri());
        if (stub == null) {
            return network().exchange(request);
        }
        synchronized (answered) {
            answered.add(request.uri());
        }
        boolean truncated = stub.body().length > request.maxResponseBytes();
        return CompletableFuture.completedFuture(new HttpExchange.Response(stub.status(), stub.headers(),
                truncated ? Arrays.copyOf(stub.body(), request.maxResponseBytes()) : stub.body(), truncated));
    }

    /** Whether a request to {@code uri} was answered by a stub. */
    public boolean stubbed(String uri) {
        synchronized (answered) {
            return answered.contains(uri);
        }
    }

    private HttpExchange.Response stubFor(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String host = parsed.getHost() == null ? "" : parsed.getHost().toLowerCase(Locale.ROOT);
        HttpExchange.Response withPort = parsed.getPort() < 0 ? null : stubs.get(host + ":" + parsed.getPort());
        return withPort != null ? withPort : stubs.get(host);
    }

    @Override
    public CompletableFuture<HttpResult> post(String uri, Map<String, String> headers, byte[] body, long timeoutMs) {
        return network().post(uri, headers, body, timeoutMs);
    }

    private synchronized HttpTransport network() {
        if (delegate == null) {
            delegate = network.get();
        }
        return delegate;
    }

    @Override
    public synchronized void close() {
        if (delegate != null) {
            delegate.close();
        }
    }
}
