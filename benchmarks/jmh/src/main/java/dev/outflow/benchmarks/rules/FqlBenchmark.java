package dev.outflow.benchmarks.rules;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.rules.fql.Subscription;
import dev.outflow.schemas.event.Json;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;

/** FQL subscription matching on an already parsed event: what routing pays per (event, subscription). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FqlBenchmark {

    private final Subscription simple = Subscription.parse("type = \"track\"");
    private final Subscription fourConditions = Subscription.parse("type = \"track\" and event = \"Order Completed\""
            + " and properties.total > 10 and context.library.name = \"analytics.js\"");
    private final JsonNode event = Events.ORDER;

    @Benchmark
    public boolean simple() {
        return simple.matches(event);
    }

    @Benchmark
    public boolean fourConditions() {
        return fourConditions.matches(event);
    }

    /** A typical track event (the shape analytics.js sends). */
    static final class Events {
        static final JsonNode ORDER = Json.readTree("""
                {"type":"track","event":"Order Completed","userId":"user-42","anonymousId":"anon-9",
                 "messageId":"ajs-6f1c2b0e","timestamp":"2025-11-23T10:00:00.000Z",
                 "properties":{"orderId":"o-1001","total":42.5,"currency":"EUR",
                   "products":[{"sku":"s-1","price":20.0,"quantity":1},{"sku":"s-2","price":22.5,"quantity":1}]},
                 "context":{"ip":"10.0.0.1","library":{"name":"analytics.js","version":"2.11.1"},
                   "traits":{"email":"jane@example.com"},"page":{"url":"https://shop.example/checkout"}}}"""
                .getBytes(StandardCharsets.UTF_8));
    }
}
