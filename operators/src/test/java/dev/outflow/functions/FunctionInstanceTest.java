package dev.outflow.functions;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.operators.delivery.ApacheHttpTransport;
import dev.outflow.schemas.event.Json;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each sample function run through a real sandbox, fetching from a real local HTTP server. */
class FunctionInstanceTest {

    private static final String TRACK = "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u1\","
            + "\"messageId\":\"m1\",\"properties\":{\"total\":30}}";

    private static LocalHttpServer server;
    private static ApacheHttpTransport transport;

    @BeforeAll
    static void start() throws Exception {
        server = new LocalHttpServer();
        transport = new ApacheHttpTransport(8);
        // as the delivery function does in open(): the first parse of the libraries in a JVM takes seconds
        FunctionEngine.warmUp();
    }

    @AfterAll
    static void stop() {
        transport.close();
        server.close();
    }

    private static InvocationResult run(FunctionInstance function, String type, String payload) throws Exception {
        return function.invoke(type, payload).get(20, TimeUnit.SECONDS);
    }

    private static String track(String properties) {
        return "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u1\",\"properties\":" + properties + "}";
    }

    @Test
    void everyGlobalBehavesAsInNode() throws Exception {
        try (FunctionInstance function = ExampleFunctions.start("globals-tour.js",
                "{\"base\":\"https://api.example.com/base/\"}", List.of(), transport, 5_000)) {
            InvocationResult result = run(function, "track", TRACK);

            assertThat(result.outcome()).as(result.toString()).isEqualTo(FunctionOutcome.OK);
            JsonNode value = Json.MAPPER.readTree(result.value());
            // expected values computed with Node 20 (crypto, URL, Buffer) and the libraries' documentation
            assertThat(value.get("url").asText()).isEqualTo("https://api.example.com/v1/items?b=2&a=1&q=a+b%26c");
            assertThat(value.get("host").asText()).isEqualTo("api.example.com");
            assertThat(value.get("params").asText()).isEqualTo("x=1&y=two+words");
            assertThat(value.get("waitedAtLeast20ms").asBoolean()).isTrue();
            assertThat(value.get("request").toString()).isEqualTo("[\"PUT\",\"https://example.com/r\",\"1\",\"hi\"]");
            assertThat(value.get("response").toString()).isEqualTo("[201,true,\"application/json\",1]");
            assertThat(value.get("headers").asText()).isEqualTo("1, 2");
            assertThat(value.get("base64").toString()).isEqualTo("[\"b3V0Zmxvdw==\",\"outflow\"]");
            assertThat(value.get("md5").asText()).isEqualTo("cac0c32caf84a889ec9b2b4cb2d56972");
            assertThat(value.get("sha256").asText()).isEqualTo("JiI8YNjnbs6mFfxQSTe+gPrNnmEm+KVkjC4o6E1OJyc=");
            assertThat(value.get("hmac").asText()).isEqualTo("d2b326772125a0fbbd096ad0be6559eebb2cd4da");
            assertThat(value.get("randomBytes").asInt()).isEqualTo(16);
            assertThat(value.get("uuid").asBoolean()).isTrue();
            assertThat(value.get("lodash").toString()).isEqualTo("[10,20,30]");
            assertThat(value.get("moment").asText()).isEqualTo("2024-03-10 13:00 +01:00");
            assertThat(value.get("uuidv5").asText()).isEqualTo("1c9edd07-e304-57a5-8e69-e524131ca13f");
            assertThat(value.get("xml").asText()).isEqualTo("<event name=\"Order Completed\">hello</event>");
            assertThat(value.get("buffer").asText()).isEqualTo("b3V0Zmxvdw==");
            assertThat(value.get("errors").toString()).isEqualTo("[\"RetryError\",true]");
            assertThat(result.logs()).containsExactly("tour Order Completed {\"n\":1}", "WARN: careful");
        }
    }

    @Test
    void fetchGoesThroughTheTransportAndSecretsAreMasked() throws Exception {
        server.answer("/crm/events", 200, Map.of("Content-Type", "application/json"), "{\"id\":\"e-1\"}");
        String secret = "sk_live_4f9a8b7c";
        try (FunctionInstance function = ExampleFunctions.start("forward-to-crm.js",
                "{\"apiUrl\":\"" + server.url("/crm") + "\",\"apiKey\":\"" + secret + "\"}", List.of(secret),
                transport, 5_000)) {
            InvocationResult result = run(function, "track", TRACK);

            assertThat(result.outcome()).as(result.toString()).isEqualTo(FunctionOutcome.OK);
            assertThat(result.value()).isEqualTo("{\"id\":\"e-1\"}");
            LocalHttpServer.Received received = server.received.stream()
                    .filter(r -> r.path().equals("/crm/events")).reduce((a, b) -> b).orElseThrow();
            assertThat(received.method()).isEqualTo("POST");
            assertThat(received.header("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
                    .encodeToString((secret + ":").getBytes()));
            assertThat(received.header("Content-Type")).startsWith("application/json");
            assertThat(Json.MAPPER.readTree(received.body()).get("name").asText()).isEqualTo("Order Completed");

            assertThat(result.logs()).containsExactly("sent event for u1 with key ****");
            assertThat(result.requests()).hasSize(1);
            OutboundRequest request = result.requests().get(0);
            assertThat(request.url()).isEqualTo(server.url("/crm/events"));
            assertThat(request.status()).isEqualTo(200);
            assertThat(request.headers()).anySatisfy(h -> {
                assertThat(h.getKey()).isEqualToIgnoringCase("authorization");
                assertThat(h.getValue()).isEqualTo("****");
            });
            assertThat(result.toString()).doesNotContain(secret);
        }
    }

    @Test
    void httpAnswersMapToSegmentErrorClasses() throws Exception {
        server.answer("/busy/events", 503, Map.of(), "");
        server.answer("/strict/events", 400, Map.of("Content-Type", "application/json"), "{\"error\":\"bad email\"}");
        for (String[] expectation : new String[][] {{"/busy", "RETRY", "RetryError", "CRM answered 503"},
                {"/strict", "MESSAGE_REJECTED", "ValidationError", "bad email"}}) {
            try (FunctionInstance function = ExampleFunctions.start("forward-to-crm.js",
                    "{\"apiUrl\":\"" + server.url(expectation[0]) + "\",\"apiKey\":\"k-12345\"}", List.of("k-12345"),
                    transport, 5_000)) {
                InvocationResult result = run(function, "track", TRACK);
                assertThat(result.outcome().name()).isEqualTo(expectation[1]);
                assertThat(result.errorName()).isEqualTo(expectation[2]);
                assertThat(result.errorMessage()).isEqualTo(expectation[3]);
            }
        }
        // nothing listens on port 9 of 127.0.0.1: fetch rejects with a FetchError, the function retries
        try (FunctionInstance function = ExampleFunctions.start("forward-to-crm.js",
                "{\"apiUrl\":\"http://127.0.0.1:9\",\"apiKey\":\"k-12345\"}", List.of(), transport, 5_000)) {
            InvocationResult result = run(function, "track", TRACK);
            assertThat(result.outcome()).isEqualTo(FunctionOutcome.RETRY);
            assertThat(result.errorMessage()).startsWith("request to http://127.0.0.1:9/events failed, reason:");
            assertThat(result.requests().get(0).error()).isNotNull();
        }
    }

    @Test
    void everyErrorTypeHasItsSegmentCategory() throws Exception {
        try (FunctionInstance function = ExampleFunctions.start("error-types.js", "{}", List.of(), transport, 500)) {
            Map<String, FunctionOutcome> expected = Map.of(
                    "unsupported", FunctionOutcome.UNSUPPORTED_EVENT_TYPE,
                    "invalid", FunctionOutcome.MESSAGE_REJECTED,
                    "validation", FunctionOutcome.MESSAGE_REJECTED,
                    "retry", FunctionOutcome.RETRY,
                    "type", FunctionOutcome.BAD_REQUEST,
                    "string", FunctionOutcome.BAD_REQUEST,
                    "hang", FunctionOutcome.TIMEOUT,
                    "after-timer", FunctionOutcome.RETRY,
                    "none", FunctionOutcome.OK);
            for (Map.Entry<String, FunctionOutcome> entry : expected.entrySet()) {
                InvocationResult result = run(function, "track", track("{\"fail\":\"" + entry.getKey() + "\"}"));
                assertThat(result.outcome()).as(entry.getKey() + ": " + result).isEqualTo(entry.getValue());
            }
            InvocationResult typeError = run(function, "track", track("{\"fail\":\"type\"}"));
            assertThat(typeError.errorName()).isEqualTo("TypeError");
            assertThat(typeError.describe()).startsWith("function bad_request: TypeError: ");
            InvocationResult thrownString = run(function, "track", track("{\"fail\":\"string\"}"));
            assertThat(thrownString.errorMessage()).isEqualTo("a thrown string");

            InvocationResult hang = run(function, "track", track("{\"fail\":\"hang\"}"));
            assertThat(hang.durationNanos()).isBetween(400_000_000L, 3_000_000_000L);

            InvocationResult noHandler = run(function, "identify", "{\"type\":\"identify\",\"userId\":\"u1\"}");
            assertThat(noHandler.outcome()).isEqualTo(FunctionOutcome.UNSUPPORTED_EVENT_TYPE);
            assertThat(noHandler.describe()).isEqualTo("function unsupported_event_type: EventNotSupported: "
                    + "identify is not supported");
        }
    }

    @Test
    void aRunawayLoopIsInterruptedAndTheInstanceServesTheNextEvent() throws Exception {
        try (FunctionInstance function = ExampleFunctions.start("runaway-loop.js", "{}", List.of(), transport, 300)) {
            assertThat(run(function, "track", track("{}")).value()).isEqualTo("{\"served\":1}");

            long started = System.nanoTime();
            InvocationResult looping = run(function, "track", track("{\"loop\":true}"));
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(looping.outcome()).isEqualTo(FunctionOutcome.TIMEOUT);
            assertThat(looping.outcome().attemptOutcome().name()).isEqualTo("RETRYABLE");
            assertThat(tookMs).isBetween(250L, 3_000L);
            // same context, module state kept
            InvocationResult next = run(function, "track", track("{}"));
            assertThat(next.outcome()).isEqualTo(FunctionOutcome.OK);
            assertThat(next.value()).isEqualTo("{\"served\":2}");
        }
    }

    @Test
    void cacheLoadsOnceAcrossInvocations() throws Exception {
        server.answer("/oauth/token", 200, Map.of("Content-Type", "application/json"), "{\"access_token\":\"tok-123\"}");
        server.answer("/api/track", 200, Map.of(), "");
        int tokenCallsBefore = count("/oauth/token");
        try (FunctionInstance function = ExampleFunctions.start("cached-token.js",
                "{\"authUrl\":\"" + server.url("/oauth/token") + "\",\"apiUrl\":\"" + server.url("/api/track")
                        + "\",\"clientId\":\"outflow\",\"clientSecret\":\"cs-98765\"}", List.of("cs-98765"),
                transport, 5_000)) {
            List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(function.invoke("track", TRACK));
            }
            for (CompletableFuture<InvocationResult> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(FunctionOutcome.OK);
            }
            assertThat(run(function, "track", TRACK).value()).isEqualTo("{\"invocations\":6}");
        }
        assertThat(count("/oauth/token") - tokenCallsBefore).isEqualTo(1);
        LocalHttpServer.Received tokenRequest = server.received.stream()
                .filter(r -> r.path().equals("/oauth/token")).reduce((a, b) -> b).orElseThrow();
        assertThat(tokenRequest.body()).isEqualTo("client_id=outflow&client_secret=cs-98765");
        assertThat(tokenRequest.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(server.received.stream().filter(r -> r.path().equals("/api/track")).reduce((a, b) -> b)
                .orElseThrow().header("Authorization")).isEqualTo("Bearer tok-123");
    }

    private static int count(String path) {
        return (int) server.received.stream().filter(r -> r.path().equals(path)).count();
    }

    @Test
    void onBatchReturnsPerEventStatuses() throws Exception {
        try (FunctionInstance function = ExampleFunctions.start("batch-partial.js", "{}", List.of(), transport, 5_000)) {
            InvocationResult result = run(function, "batch", "[" + track("{}") + "," + track("{\"status\":503}") + ","
                    + track("{\"status\":400}") + "]");
            assertThat(result.outcome()).isEqualTo(FunctionOutcome.OK);
            assertThat(result.value()).isEqualTo("[{\"status\":200},{\"status\":503,\"errormessage\":\"failed with 503\"},"
                    + "{\"status\":400,\"errormessage\":\"failed with 400\"}]");
            assertThat(result.logs()).containsExactly("batch of 3");
        }
    }

    @Test
    void invocationsInterleaveAtTheirAwaits() throws Exception {
        String code = "async function onTrack(e) { await new Promise(r => setTimeout(r, 200)); return e.n; }";
        try (FunctionInstance function = new FunctionInstance("t", "t.js", code, "{}", List.of(), transport,
                FunctionInstance.Limits.DEFAULTS)) {
            long started = System.nanoTime();
            List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(function.invoke("track", "{\"n\":" + i + "}"));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(calls.get(i).get(10, TimeUnit.SECONDS).value()).isEqualTo(String.valueOf(i));
            }
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_000);
        }
    }

    @Test
    void theSandboxHasNoHostFileProcessOrEnvironmentAccess() throws Exception {
        String code = """
                async function probe(name, f) { try { const v = await f(); return name + ': allowed ' + String(v).slice(0, 40); } catch (e) { return name + ': blocked'; } }
                async function onTrack() {
                  return [
                    await probe('Java.type', () => Java.type('java.lang.System')),
                    await probe('Polyglot', () => Polyglot.eval('js', '1')),
                    await probe('load', () => load('/etc/passwd')),
                    await probe('require fs', () => require('fs')),
                    await probe('process.env', () => { if (Object.keys(process.env).length) return JSON.stringify(process.env); throw new Error('empty'); }),
                    await probe('file fetch', () => fetch('file:///etc/passwd')),
                    await probe('host via proxy', () => Object.getPrototypeOf(fetch).constructor('return __host')()),
                    typeof Graal + ' ' + typeof print + ' ' + typeof Java,
                  ];
                }""";
        try (FunctionInstance function = new FunctionInstance("t", "t.js", code, "{}", List.of(), transport,
                FunctionInstance.Limits.DEFAULTS)) {
            InvocationResult result = run(function, "track", TRACK);
            assertThat(result.value()).isEqualTo("[\"Java.type: blocked\",\"Polyglot: blocked\",\"load: blocked\","
                    + "\"require fs: blocked\",\"process.env: blocked\",\"file fetch: blocked\","
                    + "\"host via proxy: blocked\",\"undefined undefined undefined\"]");
        }
    }

    @Test
    void responseAndLogSizesAreCapped() throws Exception {
        server.answer("/big", 200, Map.of(), "x".repeat(200_000));
        String code = """
                async function onTrack(e, s) {
                  for (let i = 0; i < 1000; i++) console.log('line ' + i + ' ' + 'y'.repeat(50));
                  const r = await fetch(s.url, { size: 1000 });
                  return r.text();
                }""";
        try (FunctionInstance function = new FunctionInstance("t", "t.js", code,
                "{\"url\":\"" + server.url("/big") + "\"}", List.of(), transport, FunctionInstance.Limits.DEFAULTS)) {
            InvocationResult result = run(function, "track", TRACK);
            assertThat(result.outcome()).isEqualTo(FunctionOutcome.BAD_REQUEST);
            assertThat(result.errorName()).isEqualTo("FetchError");
            assertThat(result.errorMessage()).contains("over limit: 1000");
            assertThat(String.join("\n", result.logs()).length()).isLessThan(4_200);
            assertThat(result.logs().get(result.logs().size() - 1)).endsWith("(logs cut at 4096 bytes)");
        }
    }

    @Test
    void hostFailuresAreCatchableErrorsWithNodesMessages() throws Exception {
        String code = """
                function attempt(f) { try { f(); return 'no error'; } catch (e) { return (e instanceof Error) + ' ' + e.message; } }
                async function onTrack() {
                  return [attempt(() => crypto.createHash('nope')), attempt(() => crypto.randomBytes(-1))];
                }""";
        try (FunctionInstance function = new FunctionInstance("t", "t.js", code, "{}", List.of(), transport,
                FunctionInstance.Limits.DEFAULTS)) {
            InvocationResult result = run(function, "track", TRACK);
            assertThat(result.value()).isEqualTo("[\"true Digest method not supported: nope\","
                    + "\"true The value of \\\"size\\\" is out of range: -1\"]");
        }
    }

    @Test
    void aTopLevelErrorIsReportedForEveryEvent() throws Exception {
        try (FunctionInstance function = new FunctionInstance("t", "t.js", "undefinedThing.call();", "{}", List.of(),
                transport, FunctionInstance.Limits.DEFAULTS)) {
            assertThat(function.loadError()).startsWith("ReferenceError: undefinedThing is not defined");
            InvocationResult result = run(function, "track", TRACK);
            assertThat(result.outcome()).isEqualTo(FunctionOutcome.BAD_REQUEST);
        }
    }

    @Test
    void syntaxErrorsAreFoundWithoutRunningTheCode() {
        JsSyntaxChecker checker = new JsSyntaxChecker();
        assertThat(checker.check("ok.js", ExampleFunctions.code("forward-to-crm.js"))).isEmpty();
        assertThat(checker.check("ok.js", "while (true) {}")).isEmpty();
        assertThat(checker.check("bad.js", "async function onTrack(e) {\n  return e.;\n}"))
                .hasValueSatisfying(problem -> assertThat(problem).startsWith("JavaScript syntax error at line 2"));
    }
}
