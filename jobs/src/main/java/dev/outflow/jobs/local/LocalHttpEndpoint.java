package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.event.Json;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A real HTTP endpoint on 127.0.0.1 that plays a destination: it answers by an {@link EndpointBehavior} and
 * records what it accepted (each messageId, so duplicates show). Built on Apache HttpCore's classic server.
 */
public final class LocalHttpEndpoint implements AutoCloseable {

    private final String name;
    private final HttpServer server;
    private final EndpointBehavior behavior;
    private final LongAdder requests = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final java.util.Queue<Request> received = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * One request as the endpoint saw it (the last {@value #KEPT_REQUESTS} are kept).
     *
     * @param method the HTTP method
     * @param path the request path with its query
     * @param headers header values by lower-case name
     * @param body the body, parsed; null when it was not JSON
     */
    public record Request(String method, String path, Map<String, String> headers, JsonNode body) {}

    private static final int KEPT_REQUESTS = 10_000;

    private LocalHttpEndpoint(String name, EndpointBehavior behavior) throws IOException {
        this.name = name;
        this.behavior = behavior;
        this.server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(0)
                // requests are addressed to 127.0.0.1; without this the server answers 421 to any other host name
                .setCanonicalHostName("127.0.0.1")
                .setSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(Timeout.ofSeconds(60)).build())
                .register("*", this::handle)
                .create();
        server.start();
    }

    public static LocalHttpEndpoint start(String name, EndpointBehavior behavior) throws IOException {
        return new LocalHttpEndpoint(name, behavior);
    }

    public String name() {
        return name;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    private void handle(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
            throws IOException {
        requests.increment();
        for (Header header : request.getHeaders()) {
            lastHeaders.put(header.getName().toLowerCase(java.util.Locale.ROOT), header.getValue());
        }
        byte[] body = request.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(request.getEntity());
        Map<String, String> headers = new java.util.HashMap<>();
        for (Header header : request.getHeaders()) {
            headers.put(header.getName().toLowerCase(java.util.Locale.ROOT), header.getValue());
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            parsed = null;
        }
        received.add(new Request(request.getMethod(), request.getPath(), Map.copyOf(headers), parsed));
        if (received.size() > KEPT_REQUESTS) {
            received.poll();
        }
        List<JsonNode> events = parseEvents(body);
        int status = events == null ? 400 : behavior.statusFor(events);
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status >= 200 && status < 300) {
            for (JsonNode event : events) {
                accepted.computeIfAbsent(event.path("messageId").asText(), id -> new AtomicInteger()).incrementAndGet();
            }
        }
        response.setCode(status);
        response.setEntity(new StringEntity(status < 300 ? "{\"ok\":true}" : "{\"ok\":false}",
                ContentType.APPLICATION_JSON));
    }

    /** The events of a body that is one event or an array of them; null when the body is not that. */
    private static List<JsonNode> parseEvents(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (root == null) {
            return null;
        }
        List<JsonNode> events = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(events::add);
        } else if (root.isObject()) {
            events.add(root);
        } else {
            return null;
        }
        return events;
    }

    /** The requests received, oldest first (at most the last 10,000). */
    public List<Request> received() {
        return List.copyOf(received);
    }

    public long requests() {
        return requests.sum();
    }

    public long requestsWithStatus(int status) {
        LongAdder count = statuses.get(status);
        return count == null ? 0 : count.sum();
    }

    /** Distinct messageIds accepted (answered 2xx). */
    public Set<String> acceptedMessageIds() {
        return Set.copyOf(accepted.keySet());
    }

    /** Accepted deliveries of a messageId beyond its first. */
    public long duplicates() {
        return accepted.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }

    /** The last value seen of a request header (lower-case name), or null. */
    public String lastHeader(String name) {
        return lastHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public void close() {
        server.close(CloseMode.GRACEFUL);
        try {
            server.awaitTermination(TimeValue.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
