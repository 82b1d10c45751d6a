package dev.outflow.rules.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every vector recorded from upstream's own test-suite (see the conformance README) through
 * {@link Mapping}. Results are compared as JSON with numbers as doubles and key order ignored;
 * failing vectors must fail at the same stage upstream does.
 */
class MappingConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAGE = Pattern.compile(
            "throws at (validation|runtime \\(after validation passed\\)|input check): (.*)$", Pattern.DOTALL);

    /**
     * Vectors where our validation message deliberately differs from upstream's. Upstream loses the
     * path while checking {@code @merge} objects (it reports "/") and writes "a object".
     */
    private static final Map<String, String> REWORDED_VALIDATION_MESSAGES = Map.of(
            "@merge invalid nested type #1", "/@merge/objects/1 should be an object or a mapping directive but it is a number.",
            "@merge invalid nested type #2", "/@merge/objects/1 should be an object or a mapping directive but it is a number.");

    private static List<JsonNode> vectors;
    private static final AtomicInteger executed = new AtomicInteger();

    @BeforeAll
    static void loadVectors() throws IOException {
        try (InputStream in = MappingConformanceTest.class.getResourceAsStream("/conformance/mapping-kit.json")) {
            assertThat(in).as("conformance/mapping-kit.json on the test classpath").isNotNull();
            JsonNode all = JSON.readTree(in);
            vectors = new ArrayList<>();
            all.forEach(vectors::add);
        }
        assertThat(vectors).isNotEmpty();
    }

    @AfterAll
    static void everyVectorRan() {
        System.out.printf("mapping-kit conformance: %d of %d vectors ran%n", executed.get(), vectors.size());
        assertThat(executed.get()).as("vectors run (none may be skipped)").isEqualTo(vectors.size());
    }

    @TestFactory
    Stream<DynamicTest> everyVector() {
        return vectors.stream().map(vector -> DynamicTest.dynamicTest(vector.get("name").asText(), () -> {
            executed.incrementAndGet();
            check(vector);
        }));
    }

    private static void check(JsonNode vector) {
        JsonNode mapping = vector.get("mapping");
        JsonNode input = vector.get("input");
        String note = vector.path("note").asText("");
        if (!vector.get("error").asBoolean()) {
            JsonNode actual = Mapping.compile(mapping).transform(input);
            if (vector.has("expected")) {
                assertThat(sameJson(actual, vector.get("expected")))
                        .as("expected %s%n but got %s", vector.get("expected"), actual)
                        .isTrue();
            } else {
                assertThat(actual.isMissingNode()).as("expected undefined but got %s", actual).isTrue();
            }
            return;
        }

        Matcher stage = STAGE.matcher(note);
        assertThat(stage.find()).as("error vector names its stage: %s", note).isTrue();
        String upstreamMessage = stage.group(2).trim();
        switch (stage.group(1)) {
            case "validation" -> {
                Throwable thrown = catchThrowable(() -> Mapping.compile(mapping));
                assertThat(thrown).isInstanceOf(MappingValidationException.class);
                String expectedMessage = REWORDED_VALIDATION_MESSAGES.getOrDefault(vector.get("name").asText(), upstreamMessage);
                assertThat(thrown.getMessage()).isEqualTo(expectedMessage);
            }
            case "input check" -> {
                Mapping compiled = Mapping.compile(mapping);
                assertThatThrownBy(() -> compiled.transform(input))
                        .isInstanceOf(MappingInputException.class)
                        .hasMessage(upstreamMessage);
            }
            default -> {
                Mapping compiled = Mapping.compile(mapping);
                Throwable thrown = catchThrowable(() -> compiled.transform(input));
                assertThat(thrown).isInstanceOf(MappingRuntimeException.class).isNotInstanceOf(MappingInputException.class);
            }
        }
    }

    /** JSON equality as JavaScript sees it: numbers are doubles, object key order is irrelevant. */
    static boolean sameJson(JsonNode actual, JsonNode expected) {
        if (actual.isNumber() && expected.isNumber()) {
            return actual.doubleValue() == expected.doubleValue();
        }
        if (actual.getNodeType() != expected.getNodeType()) {
            return false;
        }
        if (actual.isArray()) {
            if (actual.size() != expected.size()) {
                return false;
            }
            for (int i = 0; i < actual.size(); i++) {
                if (!sameJson(actual.get(i), expected.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (actual.isObject()) {
            if (actual.size() != expected.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode other = actual.get(field.getKey());
                if (other == null || !sameJson(other, field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return actual.equals(expected);
    }
}
