package dev.outflow.rules.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the upstream vectors: our API contract, Flink shipping, and JavaScript corner cases. */
class MappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void rejectsABadDirectiveWithItsPath() {
        assertThatThrownBy(() -> Mapping.compile(json("{\"properties\": {\"foo\": {\"@if\": [1]}}}")))
                .isInstanceOfSatisfying(MappingValidationException.class, e -> {
                    assertThat(e.path()).isEqualTo("/properties/foo/@if");
                    assertThat(e.getMessage()).isEqualTo("/properties/foo/@if should be an object but it is an array.");
                });
    }

    @Test
    void reportsEveryProblemAtOnce() {
        var e = (MappingValidationException) org.assertj.core.api.Assertions.catchThrowable(() -> Mapping.compile(json(
                "{\"a\": {\"@path\": 1}, \"b\": {\"@oops\": 1}, \"c\": {\"@replace\": {\"value\": \"x\"}}}")));
        assertThat(e.problems()).extracting(MappingValidationException.Problem::path)
                .containsExactly("/a/@path", "/b", "/c/@replace");
    }

    @Test
    void aTemplateCompiledAtLoadRendersAsTheTwoUpstreamPassesDo() {
        JsonNode event = json("{\"a\": \"{{b}}\", \"b\": \"B\", \"n\": 0, \"nil\": null, \"list\": [1, 2]}");
        // a value is not scanned again by the double-brace pass it came from...
        assertThat(Mapping.compile(json("{\"t\": {\"@template\": \"<{{a}}|{{ b }}|{{n}}|{{nil}}|{{gone}}|{{list}}>\"}}"))
                .transform(event).path("t").asText()).isEqualTo("<{{b}}|B|0|||1,2>");
        // ...but a triple-brace value is, as upstream's second pass does
        assertThat(Mapping.compile(json("{\"t\": {\"@template\": \"{{{a}}} and {{b}}\"}}"))
                .transform(event).path("t").asText()).isEqualTo("B and B");
        assertThat(Mapping.compile(json("{\"t\": {\"@template\": \"{{b}}{{b}}\"}}"))
                .transform(event).path("t").asText()).isEqualTo("BB");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        Mapping original = Mapping.compile(json("{\"greeting\": {\"@liquid\": \"Hi {{ traits.name | upcase }}\"},"
                + " \"fixed\": {\"k\": [1, \"two\", null]}, \"id\": {\"@path\": \"$.userId\"}, \"tags\": {\"@arrayPath\": [\"$.items\", {\"sku\": {\"@path\": \"$.sku\"}}]}}"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        Mapping copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Mapping) in.readObject();
        }
        JsonNode event = json("{\"userId\": \"u1\", \"traits\": {\"name\": \"ada\"}, \"items\": [{\"sku\": \"a\"}, {\"sku\": \"b\"}]}");
        assertThat(copy.transform(event)).isEqualTo(original.transform(event)).isEqualTo(json(
                "{\"greeting\": \"Hi ADA\", \"fixed\": {\"k\": [1, \"two\", null]}, \"id\": \"u1\", \"tags\": [{\"sku\": \"a\"}, {\"sku\": \"b\"}]}"));
    }

    @Test
    void resultIsTheCallersToChange() {
        Mapping mapping = Mapping.compile(json("{\"fixed\": {\"a\": 1}, \"copied\": {\"@path\": \"$.obj\"}}"));
        JsonNode event = json("{\"obj\": {\"b\": 2}}");
        ObjectNode first = (ObjectNode) mapping.transform(event);
        ((ObjectNode) first.get("fixed")).put("a", 99);
        ((ObjectNode) first.get("copied")).put("b", 99);
        assertThat(mapping.transform(event)).isEqualTo(json("{\"fixed\": {\"a\": 1}, \"copied\": {\"b\": 2}}"));
        assertThat(event).isEqualTo(json("{\"obj\": {\"b\": 2}}"));
    }

    @Test
    void oneMappingServesManyThreads() throws Exception {
        Mapping mapping = Mapping.compile(json("{\"n\": {\"@template\": \"#{{i}}\"}, \"l\": {\"@liquid\": \"{{ i | plus: 1 }}\"}}"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        JsonNode out = mapping.transform(json("{\"i\": " + i + "}"));
                        if (!out.get("n").asText().equals("#" + i) || !out.get("l").asText().equals(Integer.toString(i + 1))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void undefinedIsNotNull() {
        assertThat(Mapping.compile(json("{\"@path\": \"$.missing\"}")).transform(json("{}")).isMissingNode()).isTrue();
        assertThat(Mapping.compile(json("{\"@path\": \"$.present\"}")).transform(json("{\"present\": null}")).isNull()).isTrue();
    }

    @Test
    void printsNumbersTheJavaScriptWay() {
        assertThat(JsValues.numberToString(1.0)).isEqualTo("1");
        assertThat(JsValues.numberToString(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(JsValues.numberToString(1e21)).isEqualTo("1e+21");
        assertThat(JsValues.numberToString(123456789012345680000.0)).isEqualTo("123456789012345680000");
        assertThat(JsValues.numberToString(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JsValues.numberToString(0.000001)).isEqualTo("0.000001");
        assertThat(JsValues.numberToString(-2.5)).isEqualTo("-2.5");
        JsonNode out = Mapping.compile(json("{\"t\": {\"@template\": \"{{a}}|{{b}}\"}, \"j\": {\"@json\": {\"mode\": \"encode\", \"value\": {\"@path\": \"$\"}}}}"))
                .transform(json("{\"a\": 2.0, \"b\": [1, null, \"x\"]}"));
        assertThat(out.get("t").asText()).isEqualTo("2|1,,x");
    }

    @Test
    void pathsWalkLikeUpstreamGet() {
        JsonNode event = json("{\"a\": {\"b\": [10, {\"c\": \"deep\"}]}, \"s\": \"xyz\", \"z\": 0, \"n\": null}");
        Mapping mapping = Mapping.compile(json("{\"bracket\": {\"@path\": \"$.a.b[1].c\"}, \"len\": {\"@path\": \"a.b.length\"},"
                + " \"char\": {\"@path\": \"$.s.1\"}, \"throughZero\": {\"@path\": \"$.z.y\"}, \"throughNull\": {\"@path\": \"$.n.y\"},"
                + " \"gone\": {\"@path\": \"$.a.x.y\"}}"));
        assertThat(mapping.transform(event)).isEqualTo(json(
                "{\"bracket\": \"deep\", \"len\": 2, \"char\": \"y\", \"throughZero\": 0, \"throughNull\": null}"));
    }

    @Test
    void replaceUsesJavaScriptReplacementPatterns() {
        JsonNode out = Mapping.compile(json("{\"@replace\": {\"pattern\": \"b\", \"replacement\": \"[$&$$]\", \"value\": {\"@path\": \"$.v\"}}}"))
                .transform(json("{\"v\": \"abcb\"}"));
        assertThat(out.asText()).isEqualTo("a[b$]c[b$]");
    }

    @Test
    void liquidSandboxFailsPerEventNotAtLoad() {
        Mapping mapping = Mapping.compile(json("{\"x\": {\"@liquid\": \"{% for i in properties.list %}{{ i }}{% endfor %}\"}}"));
        assertThatThrownBy(() -> mapping.transform(json("{\"properties\": {\"list\": [1, 2]}}")))
                .isInstanceOf(MappingRuntimeException.class)
                .hasMessageContaining("tag \"for\" is disabled");
        assertThatThrownBy(() -> Mapping.compile(json("{\"x\": {\"@liquid\": \"{{ a | sort }}\"}}")).transform(json("{\"a\": [2, 1]}")))
                .isInstanceOf(MappingRuntimeException.class)
                .hasMessageContaining("filter \"sort\" is disabled");
    }

    @Test
    void rejectsEventsThatAreNotObjects() {
        Mapping mapping = Mapping.compile(json("{\"a\": 1}"));
        assertThatThrownBy(() -> mapping.transform(json("\"text\""))).isInstanceOf(MappingInputException.class)
                .hasMessage("data must be an object, got string");
        assertThat(mapping.transform(null)).isEqualTo(json("{\"a\": 1}"));
    }
}
