package dev.outflow.functions;

import dev.outflow.operators.delivery.HttpResult;
import dev.outflow.operators.delivery.HttpTransport;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one GraalJS engine of this JVM (a task manager), shared by every function context so parsed code and
 * compiled code are shared too; and the sandbox every context is built with. All contexts of an engine must use
 * the same sandbox policy and host access, which is why both live here.
 */
public final class FunctionEngine {

    private static volatile Engine shared;
    private static volatile CompletableFuture<Long> warmUp;
    private static final String WARM_UP_CODE = """
            async function onTrack(event) {
              return [typeof _.map, typeof moment.tz, uuidv5('url', 'x').length, xml({a: 1}).length,
                Buffer.from('x').length, crypto.createHash('sha256').update('x').digest('hex').length,
                new URL('https://x.example/?a=1').searchParams.get('a'), btoa('x'), JSON.stringify(event)];
            }""";

    private FunctionEngine() {}

    /** The shared engine, created on first use. It lives as long as the class loader. */
    public static Engine shared() {
        Engine engine = shared;
        if (engine == null) {
            synchronized (FunctionEngine.class) {
                engine = shared;
                if (engine == null) {
                    shared = engine = Engine.newBuilder("js")
                            .sandbox(SandboxPolicy.CONSTRAINED)
                            .out(OutputStream.nullOutputStream())
                            .err(OutputStream.nullOutputStream())
                            // interpreter-only is a supported mode (see README); the warning would fill logs
                            .option("engine.WarnInterpreterOnly", "false")
                            .build();
                }
            }
        }
        return engine;
    }

    /**
     * Loads every bundled library once in a throwaway context, so the JVM's first parse of them (seconds in
     * interpreter mode on a cold JVM) does not eat into a real event's time limit. Runs once per JVM; later
     * callers wait for the same run. Returns how long it took (ms).
     */
    public static long warmUp() {
        CompletableFuture<Long> started;
        synchronized (FunctionEngine.class) {
            if (warmUp == null) {
                warmUp = CompletableFuture.supplyAsync(() -> {
                    long begin = System.nanoTime();
                    HttpTransport offline = new HttpTransport() {
                        @Override
                        public CompletableFuture<HttpResult> post(
                                String uri, Map<String, String> headers, byte[] body, long timeoutMs) {
                            return CompletableFuture.failedFuture(new UnsupportedOperationException());
                        }

                        @Override
                        public void close() {}
                    };
                    try (FunctionInstance instance = new FunctionInstance("warm-up", "warm-up.js", WARM_UP_CODE, "{}",
                            List.of(), offline, FunctionInstance.Limits.DEFAULTS.withTimeoutMs(120_000))) {
                        instance.invoke("track", "{\"type\":\"track\"}").join();
                    }
                    return (System.nanoTime() - begin) / 1_000_000;
                });
            }
            started = warmUp;
        }
        return started.join();
    }

    /** "Interpreted" without the optimizing compiler, else the runtime's name (for example "GraalVM CE"). */
    public static String runtimeName() {
        return shared().getImplementationName();
    }

    /**
     * A sandboxed context: no host classes or objects beyond the proxies we hand in, no files, processes,
     * threads, environment, native code or other languages; UTC like Segment's runtime.
     */
    static Context newContext() {
        return Context.newBuilder("js")
                .engine(shared())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HostAccess.CONSTRAINED)
                .allowHostClassLookup(className -> false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .timeZone(ZoneOffset.UTC)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("js.print", "false")
                .option("js.load", "false")
                .option("js.graal-builtin", "false")
                .build();
    }

    /** A class-path resource as a cached source (sources are cached per engine, so each is parsed once). */
    static Source resource(String path) {
        try (InputStream in = FunctionEngine.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path + " (build problem)");
            }
            return Source.newBuilder("js", new String(in.readAllBytes(), StandardCharsets.UTF_8), path)
                    .cached(true).buildLiteral();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
