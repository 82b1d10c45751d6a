package dev.outflow.benchmarks.rules;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.rules.mapping.Mapping;
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

/** Mapping-kit transformation of one event into an Actions request body. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MappingBenchmark {

    private final Mapping pathsOnly = Mapping.compile(Json.readTree("""
            {"order_id":{"@path":"$.properties.orderId"},"value":{"@path":"$.properties.total"},
             "currency":{"@path":"$.properties.currency"},"user_id":{"@path":"$.userId"}}"""
            .getBytes(StandardCharsets.UTF_8)));

    private final Mapping typical = Mapping.compile(Json.readTree("""
            {"order_id":{"@path":"$.properties.orderId"},
             "value":{"@path":"$.properties.total"},
             "email":{"@if":{"exists":{"@path":"$.context.traits.email"},"then":{"@path":"$.context.traits.email"},
                      "else":{"@path":"$.traits.email"}}},
             "label":{"@template":"{{event}} by {{userId}}"},
             "items":{"@arrayPath":["$.properties.products",{"id":{"@path":"$.sku"},"price":{"@path":"$.price"}}]},
             "source":{"@literal":"outflow"}}""".getBytes(StandardCharsets.UTF_8)));

    private final JsonNode event = FqlBenchmark.Events.ORDER;

    @Benchmark
    public JsonNode fourPaths() {
        return pathsOnly.transform(event);
    }

    @Benchmark
    public JsonNode typicalMapping() {
        return typical.transform(event);
    }
}
