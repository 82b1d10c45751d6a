package dev.outflow.jobs.local;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.local.EndpointBehavior.Reply;
import dev.outflow.operators.delivery.DeliveryRequests;
import dev.outflow.schemas.event.Json;

import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.ExceptionListener;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A real HTTP endpoint on 127.0.0.1 that plays a destination: it answers by an {@link EndpointBehavior} (a status,
 * a {@code Retry-After}, a delay, no answer at all, or a 207 with per-item results) and records every request, so
 * duplicates, first-attempt acceptance and requests that ignored a {@code Retry-After} show. Built on Apache
 * HttpCore's classic server (a thread per connection, so a held request holds only its own connection).
 *
 * <p>A 207 body is {@code {"results":[{"messageId":"...","status":200},...]}}, one result per event in the order
 * of the request.
 */
public final class LocalHttpEndpoint implements AutoCloseable {

    /**
     * A request that arrives this soon after a {@code Retry-After} went out was already on its way, so it is not
     * counted as ignoring it.
     */
    public static final long RETRY_AFTER_GRACE_MS = 100;

    /**
     * One request as the endpoint saw it.
     *
     * @param receivedAtMs when it arrived (epoch ms)
     * @param answeredAtMs when the answer went out (or the request was dropped)
     * @param status the status answered, {@link Reply#NO_ANSWER} when none
     * @param messageIds the events it carried, in order
     * @param accepted how many of them were accepted (2xx, or 2xx items of a 207)
     * @param insideRetryAfter it arrived while a {@code Retry-After} this endpoint had announced was pending
     */
    public record Request(long receivedAtMs, long answeredAtMs, int status, List<String> messageIds, int accepted,
            boolean insideRetryAfter) {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String name;
    private final HttpServer server;
    private final EndpointBehavior behavior;
    /** What the endpoint reads of each request and keeps. */
    private enum Keeping {
        /** Bodies parsed whole, the last ones kept for {@link #received()}; every event recorded. */
        BODIES,
        /** Only the messageIds read; every event recorded (acceptances, duplicates, the request log). */
        IDS,
        /**
         * Only counts: the number of events comes from the request's {@code Idempotency-Key} header (a messageId
         * for one event, {@code batch:<events>:<digest>} for a batch, as the job sends it) rather than from its body,
         * which is read but not parsed; behaviors see a batch's events without their messageIds. The throughput
         * benchmark's endpoints share the job's two cores while standing in for services elsewhere: parsing 30 KB
         * of JSON per request took a tenth of the process's CPU. The body is parsed when the header is missing.
         */
        COUNTS
    }

    private final Keeping keeping;
    private final LongAdder acceptedEvents = new LongAdder();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final LongAdder requests = new LongAdder();
    private final LongAdder handlerCpuNanos = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final Map<String, Boolean> acceptedAtFirstSight = new ConcurrentHashMap<>();
    private final Map<String, Long> firstAcceptedAt = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Request> log = new ConcurrentLinkedQueue<>();
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<ReceivedRequest> received = new ConcurrentLinkedQueue<>();
    private final AtomicLong receivedCount = new AtomicLong();
    /** The client end of every connection a request came on: one address per TCP connection. */
    private final Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong keptEvents = new AtomicLong();

    /**
     * One request as it arrived (the last {@value #KEPT_REQUESTS} are kept, fewer when their bodies hold more than
     * {@value #KEPT_EVENTS} events), for tests of what a destination sends.
     *
     * @param method the HTTP method
     * @param path the request path with its query
     * @param headers header values by lower-case name
     * @param body the body, parsed; null when it was not JSON
     */
    public record ReceivedRequest(String method, String path, Map<String, String> headers, JsonNode body) {}

    private static final int KEPT_REQUESTS = 10_000;
    /**
     * Connection buffers: a batch body of 48-60 KB comes in one or two socket reads, where HttpCore's default of
     * 8 KB took eight (the endpoints share the benchmark's cores with the job).
     */
    static final int BUFFER_BYTES = 64 * 1024;
    /**
     * Also bounded by the events their bodies hold: batch endpoints get a hundred events per request, and the
     * throughput benchmark's endpoints, in the job's process, would otherwise keep a million parsed events alive
     * (its garbage collector's work would be billed to the job).
     */
    private static final int KEPT_EVENTS = 2_000;
    /** One per connection thread, for {@link #discard}. */
    private static final ThreadLocal<byte[]> DISCARD_BUFFER = ThreadLocal.withInitial(() -> new byte[BUFFER_BYTES]);
    private final Object retryAfterLock = new Object();
    private long retryAfterAnnouncedAt = Long.MIN_VALUE;
    private long retryAfterUntil = Long.MIN_VALUE;

    private LocalHttpEndpoint(String name, EndpointBehavior behavior, Keeping keeping) throws IOException {
        this.name = name;
        this.behavior = behavior;
        this.keeping = keeping;
        this.server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(0)
                // requests are addressed to 127.0.0.1; without this the server answers 421 to any other host name
                .setCanonicalHostName("127.0.0.1")
                // No read timeout: a blocking read with one polls the socket first, a system call more for every
                // read (a fifth of the endpoints' CPU in the throughput benchmark). Closing the endpoint closes its
                // connections, and a client that goes away closes its end.
                .setSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(Timeout.ZERO_MILLISECONDS)
                        .build())
                .setHttp1Config(Http1Config.custom().setBufferSize(BUFFER_BYTES).build())
                // clients that time out and go away (black hole, slow endpoint) are expected, not worth a log line
                .setExceptionListener(ExceptionListener.NO_OP)
                .register("*", this::handle)
                .create();
        server.start();
    }

    public static LocalHttpEndpoint start(String name, EndpointBehavior behavior) throws IOException {
        return new LocalHttpEndpoint(name, behavior, Keeping.BODIES);
    }

    /**
     * An endpoint that reads only the messageIds of the events it gets: {@link #received()} stays empty and
     * {@code behavior} sees each event as {@code {"messageId": ...}} alone. For load tests, where the endpoints
     * share the machine with the job and building every body's tree would take CPU from it.
     */
    public static LocalHttpEndpoint startReadingIdsOnly(String name, EndpointBehavior behavior) throws IOException {
        return new LocalHttpEndpoint(name, behavior, Keeping.IDS);
    }

    /**
     * An endpoint that reads only the messageIds, as above, and records no event and no request: only
     * {@link #requests()}, the statuses, {@link #acceptedEvents()} and the handler's CPU. For a throughput run of
     * millions of events in the job's own process, where a record of every messageId (a few hundred bytes each,
     * millions of them) would fill the job's heap and have its garbage collector copy them.
     */
    public static LocalHttpEndpoint startCounting(String name, EndpointBehavior behavior) throws IOException {
        return new LocalHttpEndpoint(name, behavior, Keeping.COUNTS);
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
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        EndpointDetails connection = HttpCoreContext.adapt(context).getEndpointDetails();
        if (connection != null) {
            connections.add(connection.getRemoteAddress());
        }
        try {
            answer(request, response);
        } finally {
            handlerCpuNanos.add(THREADS.getCurrentThreadCpuTime() - cpuBefore);
        }
    }

    private void answer(ClassicHttpRequest request, ClassicHttpResponse response) throws IOException {
        long received = System.currentTimeMillis();
        boolean insideRetryAfter = insideRetryAfter(received);
        requests.increment();
        for (Header header : request.getHeaders()) {
            lastHeaders.put(header.getName().toLowerCase(Locale.ROOT), header.getValue());
        }
        List<JsonNode> events;
        if (keeping == Keeping.COUNTS && request.getFirstHeader(DeliveryRequests.IDEMPOTENCY_HEADER) != null) {
            // read through without keeping it: copying each body out was a fifth of this endpoint's CPU under load
            discard(request.getEntity());
            events = messageIdsOf(request.getFirstHeader(DeliveryRequests.IDEMPOTENCY_HEADER).getValue());
        } else {
            byte[] body = readBody(request.getEntity());
            if (keeping == Keeping.BODIES) {
                JsonNode root = parse(body);
                keep(request, root);
                events = eventsOf(root);
            } else {
                events = messageIdsOf(body);
            }
        }
        Reply reply = events == null ? Reply.of(400) : behavior.reply(events, received);
        List<String> messageIds = new ArrayList<>(events == null ? 0 : events.size());
        if (events != null) {
            events.forEach(event -> messageIds.add(event.path("messageId").asText()));
        }
        if (reply.delayMs() > 0) {
            try {
                closing.await(reply.delayMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long answered = System.currentTimeMillis();
        int acceptedHere = record(messageIds, reply, answered);
        acceptedEvents.add(acceptedHere);
        statuses.computeIfAbsent(reply.status(), s -> new LongAdder()).increment();
        if (keeping != Keeping.COUNTS) {
            log.add(new Request(received, answered, reply.status(), messageIds, acceptedHere, insideRetryAfter));
        }
        if (reply.status() == Reply.NO_ANSWER) {
            // the only way to end a request without a response: drop the connection
            throw new IOException("no answer (black hole)");
        }
        if (reply.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", String.valueOf(reply.retryAfterSeconds()));
            announceRetryAfter(answered, reply.retryAfterSeconds());
        }
        response.setCode(reply.status());
        response.setEntity(new ByteArrayEntity(responseBody(reply, messageIds), ContentType.APPLICATION_JSON));
    }

    private int record(List<String> messageIds, Reply reply, long answered) {
        int acceptedHere = 0;
        for (int i = 0; i < messageIds.size(); i++) {
            String messageId = messageIds.get(i);
            boolean ok = reply.status() != Reply.NO_ANSWER && reply.accepted(i);
            if (keeping == Keeping.COUNTS) {
                acceptedHere += ok ? 1 : 0;
                continue;
            }
            acceptedAtFirstSight.putIfAbsent(messageId, ok);
            if (ok) {
                acceptedHere++;
                firstAcceptedAt.putIfAbsent(messageId, answered);
                accepted.computeIfAbsent(messageId, id -> new AtomicInteger()).incrementAndGet();
            }
        }
        return acceptedHere;
    }

    /** Whether a request received at {@code received} would count as sent inside a Retry-After. */
    boolean insideRetryAfter(long received) {
        synchronized (retryAfterLock) {
            return received < retryAfterUntil && received > retryAfterAnnouncedAt + RETRY_AFTER_GRACE_MS;
        }
    }

    private void announceRetryAfter(long at, int seconds) {
        synchronized (retryAfterLock) {
            retryAfterAnnouncedAt = at;
            retryAfterUntil = Math.max(retryAfterUntil, at + seconds * 1_000L);
        }
    }

    private static byte[] responseBody(Reply reply, List<String> messageIds) throws IOException {
        if (reply.status() != 207) {
            return (reply.status() < 300 ? "{\"ok\":true}" : "{\"ok\":false}").getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + messageIds.size() * 64);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            json.writeArrayFieldStart("results");
            for (int i = 0; i < messageIds.size(); i++) {
                json.writeStartObject();
                json.writeStringField("messageId", messageIds.get(i));
                json.writeNumberField("status", reply.itemStatuses().get(i));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a body to its end and drops it, a socket read per {@link #BUFFER_BYTES}: HttpCore's
     * {@code EntityUtils.consume} reads 2 KB at a time, 29 system calls for a batch of 58 KB where this makes one
     * or two (the endpoint's CPU per request about a tenth lower in a microbenchmark, on the same cores as the job).
     */
    private static void discard(HttpEntity entity) throws IOException {
        if (entity == null) {
            return;
        }
        byte[] buffer = DISCARD_BUFFER.get();
        try (InputStream content = entity.getContent()) {
            while (content.read(buffer) != -1) {
                // dropped
            }
        }
    }

    /** The whole body, read straight into an array of its length when it says its length (as {@link #discard}). */
    private static byte[] readBody(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long length = entity.getContentLength();
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            return EntityUtils.toByteArray(entity);
        }
        // readNBytes(int) would read 8 KB at a time into buffers of its own and join them; into the final array,
        // each socket read asks for all that is left
        byte[] body = new byte[(int) length];
        int read;
        try (InputStream content = entity.getContent()) {
            read = content.readNBytes(body, 0, body.length);
        }
        return read == body.length ? body : Arrays.copyOf(body, read);
    }

    /** The body as JSON, or null when it is not JSON (parsed once: it is the endpoint's main cost). */
    private static JsonNode parse(byte[] body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The events of a body that is one event or an array of them, each as an object holding its messageId alone
     * (read with the streaming parser, skipping everything else); null when the body is not that.
     */
    private static List<JsonNode> messageIdsOf(byte[] body) {
        List<JsonNode> events = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                events.add(messageIdOf(parser));
            } else if (token == JsonToken.START_ARRAY) {
                while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
                    events.add(messageIdOf(parser));
                }
                if (token != JsonToken.END_ARRAY) {
                    return null;
                }
            } else {
                return null;
            }
            return parser.nextToken() == null ? events : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The events an {@code Idempotency-Key} header stands for: the one event it names, or as many as a batch key
     * counts (without messageIds, which the key does not carry); null for a batch key that does not parse.
     */
    private static List<JsonNode> messageIdsOf(String idempotencyKey) {
        if (!idempotencyKey.startsWith(DeliveryRequests.BATCH_KEY_PREFIX)) {
            return List.of(Json.MAPPER.createObjectNode().put("messageId", idempotencyKey));
        }
        int countEnd = idempotencyKey.indexOf(':', DeliveryRequests.BATCH_KEY_PREFIX.length());
        try {
            int count = Integer.parseInt(idempotencyKey.substring(DeliveryRequests.BATCH_KEY_PREFIX.length(),
                    countEnd < 0 ? idempotencyKey.length() : countEnd));
            return count < 1 ? null : Collections.nCopies(count, Json.MAPPER.createObjectNode());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** With the parser on an object's start: reads to its end, keeping only its messageId. */
    private static JsonNode messageIdOf(JsonParser parser) throws IOException {
        String messageId = "";
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("messageId".equals(field) && value.isScalarValue()) {
                messageId = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
        return Json.MAPPER.createObjectNode().put("messageId", messageId);
    }

    /** The events of a body that is one event or an array of them; null when the body is not that. */
    private static List<JsonNode> eventsOf(JsonNode root) {
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

    /** How many connections requests came on: a client that keeps its connections alive opens few. */
    public int connections() {
        return connections.size();
    }

    public long requests() {
        return requests.sum();
    }

    public long requestsWithStatus(int status) {
        LongAdder count = statuses.get(status);
        return count == null ? 0 : count.sum();
    }

    /** Events accepted (answered 2xx), duplicates included. */
    public long acceptedEvents() {
        return acceptedEvents.sum();
    }

    /** Distinct messageIds accepted (answered 2xx). */
    public Set<String> acceptedMessageIds() {
        return Set.copyOf(accepted.keySet());
    }

    /** Accepted deliveries of a messageId beyond its first. */
    public long duplicates() {
        return accepted.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }

    /** Distinct messageIds seen in any request. */
    public long distinctEventsSeen() {
        return acceptedAtFirstSight.size();
    }

    /** Events accepted the first time they reached this endpoint. */
    public long acceptedOnFirstAttempt() {
        return acceptedAtFirstSight.values().stream().filter(Boolean::booleanValue).count();
    }

    /** When each accepted messageId was first accepted (epoch ms). */
    public Map<String, Long> firstAcceptedAt() {
        return Map.copyOf(firstAcceptedAt);
    }

    /** Requests that arrived while a {@code Retry-After} this endpoint announced was still pending. */
    public long retryAfterViolations() {
        return log.stream().filter(Request::insideRetryAfter).count();
    }

    /**
     * The requests received, oldest first: the last {@value #KEPT_REQUESTS}, fewer when their bodies hold more than
     * {@value #KEPT_EVENTS} events.
     */
    public List<ReceivedRequest> received() {
        return List.copyOf(received);
    }

    private void keep(ClassicHttpRequest request, JsonNode body) {
        Map<String, String> headers = new java.util.HashMap<>();
        for (Header header : request.getHeaders()) {
            headers.put(header.getName().toLowerCase(Locale.ROOT), header.getValue());
        }
        ReceivedRequest kept = new ReceivedRequest(request.getMethod(), request.getPath(), Map.copyOf(headers), body);
        received.add(kept);
        // counters, not received.size(): that walks the whole queue on every request
        receivedCount.incrementAndGet();
        keptEvents.addAndGet(eventCount(kept));
        while (receivedCount.get() > KEPT_REQUESTS || keptEvents.get() > KEPT_EVENTS) {
            ReceivedRequest oldest = received.poll();
            if (oldest == null) {
                break;
            }
            receivedCount.decrementAndGet();
            keptEvents.addAndGet(-eventCount(oldest));
        }
    }

    private static int eventCount(ReceivedRequest request) {
        return request.body() != null && request.body().isArray() ? request.body().size() : 1;
    }

    /** Every request so far, in the order they were answered. */
    public List<Request> requestLog() {
        return List.copyOf(log);
    }

    /**
     * CPU time spent answering requests so far, so a benchmark can tell the job's CPU from its endpoints' (they
     * run in the same process).
     */
    public long handlerCpuNanos() {
        return handlerCpuNanos.sum();
    }

    /** The last value seen of a request header (lower-case name), or null. */
    public String lastHeader(String name) {
        return lastHeaders.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void close() {
        // releases held and delayed requests, so a graceful close does not wait for them
        closing.countDown();
        server.close(CloseMode.GRACEFUL);
        try {
            server.awaitTermination(TimeValue.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
