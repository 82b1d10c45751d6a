package dev.outflow.benchmarks;

import dev.outflow.functions.FunctionEngine;
import dev.outflow.functions.FunctionInstance;
import dev.outflow.functions.FunctionOutcome;
import dev.outflow.functions.InvocationResult;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.operators.delivery.ApacheHttpTransport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Per-event cost of destination functions: a trivial handler, one using lodash and crypto, and one doing a fetch
 * to a local endpoint. For each: latency of one invocation at a time (p50, mean) after a warm-up, and throughput
 * with 32 invocations in flight. Run it in interpreter mode and with the optimizing runtime (README, Functions).
 *
 * <p>Arguments: {@code [warmup] [measured]} invocations per handler (default 5000 and 5000).
 */
public final class FunctionCostBenchmark {

    private static final String EVENT = "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-1842\","
            + "\"anonymousId\":\"a-77\",\"messageId\":\"m-1\",\"timestamp\":\"2024-05-01T10:00:00Z\","
            + "\"context\":{\"ip\":\"10.0.0.1\",\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},"
            + "\"page\":{\"path\":\"/checkout\",\"url\":\"https://shop.example/checkout?step=3\"}},"
            + "\"properties\":{\"orderId\":\"o-99\",\"total\":129.5,\"currency\":\"EUR\",\"coupon\":null,"
            + "\"products\":[{\"sku\":\"A-1\",\"price\":49.5,\"quantity\":1},{\"sku\":\"B-2\",\"price\":80,\"quantity\":1}]}}";

    private static final String TRIVIAL = "async function onTrack(e, s) { return e.event.length + Object.keys(s).length; }";
    private static final String LODASH_CRYPTO = """
            async function onTrack(event, settings) {
              const props = _.pickBy(event.properties, (v) => v !== null);
              const skus = _.map(props.products, 'sku');
              const signature = crypto.createHmac('sha256', settings.secret).update(JSON.stringify(props)).digest('hex');
              const id = crypto.createHash('md5').update(event.userId).digest('hex');
              const url = new URL('https://api.example.com/track');
              url.searchParams.set('u', id);
              return { skus, signature, url: url.href, auth: btoa(settings.secret + ':'), keys: _.keys(props).length };
            }""";
    private static final String FETCH = """
            async function onTrack(event, settings) {
              const response = await fetch(settings.url, { method: 'POST', body: JSON.stringify(event),
                headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + settings.secret } });
              if (!response.ok) { throw new RetryError('status ' + response.status); }
              return response.status;
            }""";

    private FunctionCostBenchmark() {}

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        long warmUpMs = FunctionEngine.warmUp();
        System.out.printf("runtime: %s; JVM %s; first context + libraries: %d ms; %d warm-up + %d measured per handler%n",
                FunctionEngine.runtimeName(), Runtime.version(), warmUpMs, warmup, measured);
        System.out.printf("%-14s %10s %10s %10s %14s %16s%n", "handler", "p50 us", "mean us", "p99 us",
                "events/s (32)", "CPU us/event (32)");
        try (LocalHttpEndpoint endpoint = LocalHttpEndpoint.start("fn-bench", EndpointBehavior.healthy());
                ApacheHttpTransport transport = new ApacheHttpTransport(64)) {
            String settings = "{\"secret\":\"bench-secret-1234\",\"url\":\"" + endpoint.url("/in") + "\"}";
            for (String[] handler : new String[][] {{"trivial", TRIVIAL}, {"lodash+crypto", LODASH_CRYPTO},
                    {"fetch", FETCH}}) {
                try (FunctionInstance function = new FunctionInstance("bench", handler[0] + ".js", handler[1], settings,
                        List.of("bench-secret-1234"), transport, FunctionInstance.Limits.DEFAULTS.withTimeoutMs(30_000))) {
                    for (int i = 0; i < warmup; i++) {
                        check(function.invoke("track", EVENT).join());
                    }
                    long[] nanos = new long[measured];
                    for (int i = 0; i < measured; i++) {
                        long start = System.nanoTime();
                        check(function.invoke("track", EVENT).join());
                        nanos[i] = System.nanoTime() - start;
                    }
                    Arrays.sort(nanos);
                    double mean = Arrays.stream(nanos).average().orElse(0);

                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    long cpuBefore = processCpuNanos();
                    long start = System.nanoTime();
                    List<CompletableFuture<InvocationResult>> inFlight = new ArrayList<>();
                    for (int i = 0; i < measured; i++) {
                        inFlight.add(function.invoke("track", EVENT));
                        if (inFlight.size() == 32) {
                            check(inFlight.remove(0).join());
                        }
                    }
                    inFlight.forEach(call -> check(call.join()));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long cpu = processCpuNanos() - cpuBefore;
                    System.out.printf("%-14s %10.0f %10.0f %10.0f %14.0f %16.0f%n", handler[0],
                            nanos[nanos.length / 2] / 1e3, mean / 1e3, nanos[(int) (nanos.length * 0.99)] / 1e3,
                            measured / seconds, threads.isThreadCpuTimeSupported() ? cpu / 1e3 / measured : -1);
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void check(InvocationResult result) {
        if (result.outcome() != FunctionOutcome.OK) {
            throw new IllegalStateException("benchmark handler failed: " + result.describe());
        }
    }
}
