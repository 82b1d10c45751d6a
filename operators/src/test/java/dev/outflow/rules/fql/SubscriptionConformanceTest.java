package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the vectors recorded from Segment's own code (see {@code conformance/UPSTREAM-README.md}): every entry of
 * {@code subscriptions.json} and {@code subscriptions-parse.json}.
 */
class SubscriptionConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode MATCH_VECTORS = load("conformance/subscriptions.json");
    private static final JsonNode AST_VECTORS = load("conformance/subscriptions-parse.json");

    /** JSON numbers compare as JS doubles: 100 and 100.0 are the same value. */
    private static final Comparator<JsonNode> NUMBERS_AS_DOUBLES = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    @TestFactory
    Stream<DynamicTest> subscriptionVectors() {
        return stream(MATCH_VECTORS).map(vector ->
                DynamicTest.dynamicTest(vector.path("name").asText(), () -> checkMatchVector(vector)));
    }

    @TestFactory
    Stream<DynamicTest> parseAndGenerateVectors() {
        return stream(AST_VECTORS).map(vector ->
                DynamicTest.dynamicTest(vector.path("name").asText(), () -> checkAstVector(vector)));
    }

    @Test
    void everyVectorRuns() {
        int matchRun = runAll(MATCH_VECTORS, SubscriptionConformanceTest::checkMatchVector);
        int astRun = runAll(AST_VECTORS, SubscriptionConformanceTest::checkAstVector);
        System.out.printf("FQL conformance: subscriptions.json %d/%d, subscriptions-parse.json %d/%d%n",
                matchRun, MATCH_VECTORS.size(), astRun, AST_VECTORS.size());
        assertThat(matchRun).isEqualTo(MATCH_VECTORS.size()).isPositive();
        assertThat(astRun).isEqualTo(AST_VECTORS.size()).isPositive();
    }

    private static int runAll(JsonNode vectors, VectorCheck check) {
        int run = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode vector : vectors) {
            try {
                check.run(vector);
                run++;
            } catch (AssertionError | RuntimeException e) {
                failures.add(vector.path("name").asText() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " vectors failed:\n" + String.join("\n", failures));
        }
        return run;
    }

    private static void checkMatchVector(JsonNode vector) {
        String fql = vector.path("subscription").asText();
        if (vector.path("parseError").asBoolean(false)) {
            assertThatThrownBy(() -> Subscription.parse(fql))
                    .as("subscription %s must be rejected", fql)
                    .isInstanceOf(FqlParseException.class);
            return;
        }
        assertThat(vector.has("expected")).as("vector has an expected result").isTrue();
        Subscription subscription = Subscription.parse(fql);
        assertThat(subscription.matches(vector.get("event")))
                .as("%s against %s", fql, vector.get("event"))
                .isEqualTo(vector.get("expected").asBoolean());
    }

    private static void checkAstVector(JsonNode vector) {
        switch (vector.path("kind").asText()) {
            case "parse" -> checkParseVector(vector);
            case "generate" -> checkGenerateVector(vector);
            default -> fail("unknown vector kind " + vector.path("kind"));
        }
    }

    private static void checkParseVector(JsonNode vector) {
        String fql = vector.path("subscription").asText();
        if (vector.path("parseError").asBoolean(false)) {
            assertThatThrownBy(() -> Subscription.parse(fql)).isInstanceOf(FqlParseException.class);
            return;
        }
        Subscription subscription = Subscription.parse(fql);
        assertSameAst(FqlAstJson.toJson(subscription.ast()), vector.get("ast"));
        assertThat(subscription.toFql()).isEqualTo(vector.path("generated").asText());
        assertThat(subscription.source()).isEqualTo(fql);
    }

    private static void checkGenerateVector(JsonNode vector) {
        if (vector.path("error").asBoolean(false)) {
            assertThatThrownBy(() -> FqlAstJson.fromJson(vector.get("ast")))
                    .isInstanceOf(IllegalArgumentException.class);
            return;
        }
        FqlGroup ast = (FqlGroup) FqlAstJson.fromJson(vector.get("ast"));
        String generated = Subscription.toFql(ast);
        assertThat(generated).isEqualTo(vector.path("generated").asText());
        assertSameAst(FqlAstJson.toJson(Subscription.parse(generated).ast()), vector.get("reparsed"));
    }

    private static void assertSameAst(JsonNode actual, JsonNode expected) {
        assertThat(actual.equals(NUMBERS_AS_DOUBLES, expected))
                .as("AST%n  actual:   %s%n  expected: %s", actual, expected)
                .isTrue();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> vectors = new ArrayList<>();
        array.forEach(vectors::add);
        return vectors.stream();
    }

    private static JsonNode load(String resource) {
        try (InputStream in = SubscriptionConformanceTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            JsonNode vectors = JSON.readTree(in);
            if (!vectors.isArray() || vectors.isEmpty()) {
                throw new IllegalStateException(resource + " holds no vectors");
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface VectorCheck {
        void run(JsonNode vector);
    }
}
