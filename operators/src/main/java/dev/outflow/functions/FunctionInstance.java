package dev.outflow.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.operators.delivery.HttpExchange;
import dev.outflow.operators.delivery.HttpTransport;
import dev.outflow.schemas.event.Json;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One destination function, live: a sandboxed GraalJS context with the user's code loaded, owned by one thread
 * that runs its event loop (invocations, timers, fetch completions), the way Node runs a function. Several
 * invocations may be in flight at once and interleave at their {@code await}s; each gets its outcome within
 * the time limit, even if its code never yields (the context is interrupted and goes on serving the next one).
 *
 * <p>Thread-safe: {@link #invoke} may be called from any thread; everything that touches the context runs on
 * the loop thread.
 */
public final class FunctionInstance implements AutoCloseable {

    /** Per-invocation limits. */
    public record Limits(long timeoutMs, int maxLogBytes, int maxResponseBytes, int maxRecordedBodyChars) {

        /** Segment's: 5 s per invocation, 4 KB of logs; responses up to 1 MiB. */
        public static final Limits DEFAULTS = new Limits(5_000, 4 * 1024, 1024 * 1024, 4 * 1024);

        public Limits withTimeoutMs(long timeout) {
            return new Limits(timeout, maxLogBytes, maxResponseBytes, maxRecordedBodyChars);
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Starts deadlines and interrupts for every instance of the JVM; its tasks only flip flags or delegate. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            daemon("outflow-function-watchdog"));
    /** {@link Context#interrupt} blocks until the guest stops, so it is called off the watchdog thread. */
    private static final ExecutorService INTERRUPTER = Executors.newCachedThreadPool(daemon("outflow-function-interrupt"));
    private static final Source RUNTIME = FunctionEngine.resource("dev/outflow/functions/runtime.js");
    private static final Source HANDLER_LOOKUP = Source.newBuilder("js", """
            (function (name) {
              switch (name) {
                case 'onTrack': return typeof onTrack === 'function' ? onTrack : undefined;
                case 'onIdentify': return typeof onIdentify === 'function' ? onIdentify : undefined;
                case 'onPage': return typeof onPage === 'function' ? onPage : undefined;
                case 'onScreen': return typeof onScreen === 'function' ? onScreen : undefined;
                case 'onGroup': return typeof onGroup === 'function' ? onGroup : undefined;
                case 'onAlias': return typeof onAlias === 'function' ? onAlias : undefined;
                case 'onDelete': return typeof onDelete === 'function' ? onDelete : undefined;
                case 'onBatch': return typeof onBatch === 'function' ? onBatch : undefined;
                default: return undefined;
              }
            })""", "outflow-handler-lookup").cached(true).buildLiteral();

    private final String codeFile;
    private final Source code;
    private final String settingsJson;
    private final SecretMasker masker;
    private final HttpTransport transport;
    private final Limits limits;
    private final ScheduledThreadPoolExecutor loop;

    // Loop thread only, except `context` (read by the interrupter) and `guestRun` (read by the watchdog).
    private volatile Context context;
    private Value dispatch;
    private Value lookup;
    private String loadError;
    private volatile Set<String> handlers = Set.of();
    private Call current;
    private final Map<Long, Timer> timers = new HashMap<>();
    private long nextTimerId;
    private long guestRuns;
    private volatile long guestRun;
    private volatile boolean closed;

    private record Timer(Call owner, ScheduledFuture<?> future) {}

    /**
     * Loads the code into a fresh context. Top-level errors do not throw: the instance then answers every
     * invocation with a bad-request outcome naming the problem, as the code cannot serve any event.
     *
     * @param name names the loop thread (destination and subtask)
     * @param settingsJson the settings object handlers receive, secrets decrypted
     * @param secrets the decrypted values, masked wherever output leaves the sandbox
     */
    public FunctionInstance(String name, String codeFile, String code, String settingsJson, List<String> secrets,
            HttpTransport transport, Limits limits) {
        this.codeFile = codeFile;
        this.code = Source.newBuilder("js", code, codeFile).cached(true).buildLiteral();
        this.settingsJson = settingsJson;
        this.masker = new SecretMasker(secrets);
        this.transport = transport;
        this.limits = limits;
        this.loop = new ScheduledThreadPoolExecutor(1, daemon("outflow-function-" + name));
        this.loop.setRemoveOnCancelPolicy(true);
        Call loading = new Call(this, "load");
        // runGuest builds the context first (under the same watchdog), so a runaway top level is stopped too
        CompletableFuture.runAsync(() -> runGuest(loading, () -> { }), loop).join();
    }

    /** The handlers the code defines ({@code onTrack}, ..., {@code onBatch}) as of loading. */
    public Set<String> handlers() {
        return handlers;
    }

    /** Why the code could not be loaded, or null when it loaded. */
    public String loadError() {
        return loadError;
    }

    /**
     * Calls the handler for {@code type} ({@code track}, ..., or {@code batch} for {@code onBatch} with a JSON
     * array) with the event and the settings. Never fails: every problem is an outcome.
     */
    public CompletableFuture<InvocationResult> invoke(String type, String payloadJson) {
        Call call = new Call(this, type);
        if (closed) {
            call.finish(FunctionOutcome.RETRY, null, "Closed", "the function is shutting down");
            return call.future;
        }
        call.deadline = WATCHDOG.schedule(() -> call.finish(FunctionOutcome.TIMEOUT, null, "Timeout",
                "the function did not finish within " + limits.timeoutMs + " ms"), limits.timeoutMs, TimeUnit.MILLISECONDS);
        execute(() -> runGuest(call, () -> {
            if (loadError != null) {
                call.finish(FunctionOutcome.BAD_REQUEST, null, "LoadError", loadError);
                return;
            }
            dispatch.executeVoid(type, payloadJson, settingsJson, call.done, lookup);
        }));
        return call.future;
    }

    // ---------------------------------------------------------------- loop thread

    private void load() {
        Context fresh = FunctionEngine.newContext();
        context = fresh;
        Value install = fresh.eval(RUNTIME);
        dispatch = install.execute(ProxyObject.fromMap(hostFunctions()));
        try {
            fresh.eval(code);
            lookup = fresh.eval(HANDLER_LOOKUP);
            Set<String> defined = new TreeSet<>();
            for (String name : List.of("onTrack", "onIdentify", "onPage", "onScreen", "onGroup", "onAlias", "onDelete",
                    "onBatch")) {
                if (!lookup.execute(name).isNull()) {
                    defined.add(name);
                }
            }
            handlers = Set.copyOf(defined);
            loadError = null;
        } catch (PolyglotException e) {
            if (e.isInterrupted() || e.isCancelled()) {
                loadError = "the code's top level did not finish within " + limits.timeoutMs + " ms";
            } else {
                loadError = masker.mask(describe(e));
            }
        }
    }

    /** Runs guest code for {@code call}, interrupting it if it runs past the time limit. */
    private void runGuest(Call call, Runnable action) {
        if (closed) {
            return;
        }
        Call previous = current;
        current = call;
        long run = ++guestRuns;
        guestRun = run;
        ScheduledFuture<?> watch = WATCHDOG.schedule(() -> interruptIfStill(run), limits.timeoutMs, TimeUnit.MILLISECONDS);
        try {
            if (context == null) {
                // first use, or the last context had to be cancelled: start (over) with the same code; module
                // state is lost, as when Segment starts a new instance
                load();
            }
            action.run();
        } catch (PolyglotException e) {
            if (e.isInterrupted() || e.isCancelled() || e.isResourceExhausted()) {
                call.finish(FunctionOutcome.TIMEOUT, null, "Timeout",
                        "interrupted: still running after " + limits.timeoutMs + " ms");
                if (e.isCancelled()) {
                    context = null;
                }
            } else if (e.isGuestException()) {
                // thrown out of a timer or fetch callback: in Node this would be an uncaught exception
                call.finishError(e);
            } else {
                call.finish(FunctionOutcome.BAD_REQUEST, null, "InternalError", masker.mask(String.valueOf(e.getMessage())));
            }
        } catch (RuntimeException e) {
            call.finish(FunctionOutcome.BAD_REQUEST, null, "InternalError",
                    masker.mask(e.getClass().getSimpleName() + ": " + e.getMessage()));
        } finally {
            guestRun = 0;
            watch.cancel(false);
            current = previous;
        }
    }

    private void interruptIfStill(long run) {
        if (guestRun != run) {
            return;
        }
        INTERRUPTER.execute(() -> {
            Context running = context;
            if (running == null || guestRun != run) {
                return;
            }
            try {
                running.interrupt(Duration.ofSeconds(10));
            } catch (TimeoutException stuck) {
                // not at a safepoint in 10 s (stuck in host code): give up this context, the next call rebuilds it
                try {
                    running.close(true);
                } catch (RuntimeException ignored) {
                    // already cancelled
                }
            } catch (IllegalStateException closedMeanwhile) {
                // the instance was closed
            }
        });
    }

    private Map<String, Object> hostFunctions() {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("log", (ProxyExecutable) args -> {
            current.log(args[0].asString(), args[1].asString());
            return null;
        });
        host.put("setTimer", (ProxyExecutable) args -> setTimer(args[1], (long) args[0].asDouble()));
        host.put("clearTimer", (ProxyExecutable) args -> {
            if (args[0].isNumber()) {
                Timer timer = timers.remove((long) args[0].asDouble());
                if (timer != null) {
                    timer.future.cancel(false);
                }
            }
            return null;
        });
        host.put("fetch", (ProxyExecutable) this::fetch);
        host.put("maxResponseBytes", (ProxyExecutable) args -> limits.maxResponseBytes);
        host.put("parseUrl", (ProxyExecutable) args -> UrlParser.parse(args[0].asString(),
                args[1].isNull() ? null : args[1].asString()));
        host.put("btoa", (ProxyExecutable) args -> JsCrypto.btoa(args[0].asString()));
        host.put("atob", (ProxyExecutable) args -> guestError(() -> JsCrypto.atob(args[0].asString()),
                "The string to be decoded is not correctly encoded."));
        host.put("checkAlgorithm", (ProxyExecutable) args -> {
            guestError(() -> {
                JsCrypto.checkAlgorithm(args[0].asString());
                return null;
            }, null);
            return null;
        });
        host.put("digest", (ProxyExecutable) args -> guestError(() -> JsCrypto.digest(args[0].asString(),
                args[1].isNull() ? null : args[1].asString(), args[2].asString()), null));
        host.put("encodeHex", (ProxyExecutable) args -> guestError(
                () -> JsCrypto.encodeHex(args[0].asString(), args[1].asString()), null));
        host.put("randomHex", (ProxyExecutable) args -> guestError(() -> JsCrypto.randomHex((int) args[0].asDouble()), null));
        host.put("randomUUID", (ProxyExecutable) args -> JsCrypto.randomUuid());
        host.put("hashes", (ProxyExecutable) args -> JsCrypto.hashes());
        host.put("module", (ProxyExecutable) args -> ModuleLibrary.find(args[0].asString(), args[1].asString())
                .map(module -> {
                    Map<String, Object> found = new HashMap<>();
                    found.put("path", module.path());
                    if (module.json() != null) {
                        found.put("json", module.json());
                    } else {
                        found.put("wrapper", context.eval(module.wrapper()));
                    }
                    return (Object) ProxyObject.fromMap(found);
                }).orElse(null));
        return host;
    }

    private interface HostWork {
        Object run() throws Exception;
    }

    /** Host failures surface in JavaScript as a plain Error with the message, like Node's own. */
    private Object guestError(HostWork work, String message) {
        try {
            return work.run();
        } catch (Exception e) {
            throw new GuestVisibleError(message != null ? message : e.getMessage());
        }
    }

    /** A host exception whose message the guest may see (GraalJS shows host exceptions as errors). */
    private static final class GuestVisibleError extends RuntimeException {
        GuestVisibleError(String message) {
            super(message, null, false, false);
        }
    }

    private long setTimer(Value callback, long delayMs) {
        long id = ++nextTimerId;
        Call owner = current;
        ScheduledFuture<?> future = loop.schedule(() -> {
            timers.remove(id);
            runGuest(owner, callback::executeVoid);
        }, delayMs, TimeUnit.MILLISECONDS);
        timers.put(id, new Timer(owner, future));
        return id;
    }

    private Object fetch(Value... args) {
        Call call = current;
        String method = args[0].asString();
        String url = args[1].asString();
        String body = args[3].isNull() ? null : args[3].asString();
        long requestedTimeout = (long) args[4].asDouble();
        int requestedSize = (int) args[5].asDouble();
        Value callback = args[6];
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        List<Map.Entry<String, String>> maskedHeaders = new ArrayList<>();
        try {
            for (JsonNode pair : Json.MAPPER.readTree(args[2].asString())) {
                String name = pair.get(0).asText();
                String value = pair.get(1).asText();
                headers.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
                maskedHeaders.add(new AbstractMap.SimpleImmutableEntry<>(name, masker.maskHeader(name, value)));
            }
        } catch (IOException e) {
            throw new GuestVisibleError("bad headers: " + e.getMessage());
        }
        long remaining = Math.max(1, call.remainingMs());
        long timeout = requestedTimeout > 0 ? Math.min(requestedTimeout, remaining) : remaining;
        int cap = requestedSize > 0 ? Math.min(requestedSize, limits.maxResponseBytes) : limits.maxResponseBytes;
        int index = call.record(new OutboundRequest(method, masker.mask(url), maskedHeaders,
                body == null ? null : masker.mask(cut(body, limits.maxRecordedBodyChars)), 0, null));
        transport.exchange(new HttpExchange(method, url, headers,
                        body == null ? null : body.getBytes(StandardCharsets.UTF_8), timeout, cap))
                .whenComplete((response, error) -> execute(() -> runGuest(call, () -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        boolean timedOut = cause instanceof TimeoutException || cause instanceof SocketTimeoutException;
                        String reason = masker.mask(cause.getMessage() == null ? cause.getClass().getSimpleName()
                                : cause.getMessage());
                        call.answered(index, 0, reason);
                        callback.executeVoid(reason, timedOut ? "request-timeout" : "system", 0, null, null, false);
                        return;
                    }
                    call.answered(index, response.status(), null);
                    ObjectNode responseHeaders = Json.MAPPER.createObjectNode();
                    for (Map.Entry<String, String> header : response.headers()) {
                        responseHeaders.withArray(header.getKey()).add(header.getValue());
                    }
                    callback.executeVoid(null, null, response.status(), responseHeaders.toString(),
                            new String(response.body(), StandardCharsets.UTF_8), response.truncated());
                })));
        return null;
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shutDown) {
            // closed: nothing is waiting for the result any more
        }
    }

    private static String describe(PolyglotException e) {
        if (e.isSyntaxError()) {
            return "SyntaxError: " + e.getMessage() + (e.getSourceLocation() == null ? ""
                    : " (line " + e.getSourceLocation().getStartLine() + ")");
        }
        Value error = e.getGuestObject();
        if (error != null && error.hasMembers() && error.hasMember("name")) {
            return error.getMember("name").toString() + ": " + error.getMember("message");
        }
        return String.valueOf(e.getMessage());
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...(" + text.length() + " chars)";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.execute(() -> {
                timers.values().forEach(timer -> timer.future.cancel(false));
                Context open = context;
                if (open != null) {
                    try {
                        open.close(true);
                    } catch (RuntimeException alreadyCancelled) {
                        // a cancelled context throws on close
                    }
                }
            });
        } catch (RejectedExecutionException alreadyShutDown) {
            return;
        }
        loop.shutdown();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One invocation: its console output, its requests, its outcome (set once, from whichever thread first). */
    private static final class Call {
        private final FunctionInstance instance;
        private final long startNanos = System.nanoTime();
        private final CompletableFuture<InvocationResult> future = new CompletableFuture<>();
        private final List<String> logs = new ArrayList<>();
        private final List<OutboundRequest> requests = new ArrayList<>();
        private final ProxyExecutable done;
        private int logBytes;
        private boolean logsCut;
        private volatile ScheduledFuture<?> deadline;

        Call(FunctionInstance instance, String type) {
            this.instance = instance;
            this.done = args -> {
                if (args[0].asBoolean()) {
                    finish(FunctionOutcome.OK, args[1].isNull() ? null : args[1].asString(), null, null);
                } else {
                    String name = args[2].asString();
                    finish(FunctionOutcome.ofError(name), null, name, args[3].asString());
                }
                return null;
            };
        }

        long remainingMs() {
            return instance.limits.timeoutMs - (System.nanoTime() - startNanos) / 1_000_000;
        }

        synchronized void log(String level, String text) {
            if (future.isDone() || logsCut) {
                return;
            }
            String line = instance.masker.mask(level.equals("log") || level.equals("info") ? text : level.toUpperCase() + ": " + text);
            int room = instance.limits.maxLogBytes - logBytes;
            if (line.length() > room) {
                logs.add(line.substring(0, Math.max(0, room)) + "... (logs cut at " + instance.limits.maxLogBytes + " bytes)");
                logsCut = true;
                return;
            }
            logBytes += line.length();
            logs.add(line);
        }

        synchronized int record(OutboundRequest request) {
            requests.add(request);
            return requests.size() - 1;
        }

        synchronized void answered(int index, int status, String error) {
            OutboundRequest sent = requests.get(index);
            requests.set(index, new OutboundRequest(sent.method(), sent.url(), sent.headers(), sent.body(), status, error));
        }

        void finishError(PolyglotException e) {
            Value error = e.getGuestObject();
            String name = "Error";
            String message = e.getMessage();
            if (error != null && error.hasMembers() && error.hasMember("name")) {
                name = error.getMember("name").toString();
                message = error.getMember("message").toString();
            }
            finish(FunctionOutcome.ofError(name), null, name, message);
        }

        void finish(FunctionOutcome outcome, String value, String errorName, String errorMessage) {
            InvocationResult result;
            synchronized (this) {
                if (future.isDone()) {
                    return;
                }
                SecretMasker masker = instance.masker;
                result = new InvocationResult(outcome, masker.mask(value), errorName, masker.mask(errorMessage),
                        logs, requests, System.nanoTime() - startNanos);
            }
            ScheduledFuture<?> timer = deadline;
            if (timer != null) {
                timer.cancel(false);
            }
            instance.execute(() -> instance.timers.values().removeIf(t -> {
                boolean mine = t.owner == this;
                if (mine) {
                    t.future.cancel(false);
                }
                return mine;
            }));
            future.complete(result);
        }
    }
}
