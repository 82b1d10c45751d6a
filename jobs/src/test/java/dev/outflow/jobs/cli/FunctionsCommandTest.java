package dev.outflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.event.Json;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code outflow functions ...} as a user runs it, on the sample functions; stubs keep every request local. */
class FunctionsCommandTest {

    private static final Path EXAMPLES = Path.of("..", "examples", "functions");
    private static final String API_KEY = "sk_live_cli_5d2e";
    private static final String KEY = SettingsCipher.newKey();

    @TempDir
    Path dir;

    @BeforeAll
    static void key() {
        // the environment variable cannot be set from a test; the command also reads this property
        System.setProperty("outflow.settings.key", KEY);
    }

    @AfterAll
    static void noKey() {
        System.clearProperty("outflow.settings.key");
    }

    private Path settingsWithEncryptedKey() throws IOException {
        Path settings = dir.resolve("settings.json");
        Files.writeString(settings, "{\"apiUrl\":\"https://api.crm.example\",\"apiKey\":\""
                + SettingsCipher.fromBase64Key(KEY).encrypt(API_KEY) + "\"}");
        return settings;
    }

    @Test
    void runsAnEventAndShowsOutcomeLogsAndRequestsWithSecretsMasked() throws IOException {
        Result result = run("functions", "test", "--code", EXAMPLES.resolve("forward-to-crm.js").toString(),
                "--event", EXAMPLES.resolve("events/track.json").toString(),
                "--settings", settingsWithEncryptedKey().toString(),
                "--stub", "api.crm.example=" + EXAMPLES.resolve("stubs/crm-ok.json"));

        assertThat(result.exit).as(result.err).isZero();
        assertThat(result.out).contains("outcome: ok (delivered)", "returned: {\"id\":\"evt_123\"}",
                "  sent event for u1 with key ****", "  POST https://api.crm.example/events -> 200 (stub)",
                "    authorization: ****", "    body: {\"type\":\"event\",\"messageId\":\"msg-1\"");
        assertThat(result.out + result.err).doesNotContain(API_KEY);
    }

    @Test
    void jsonOutputCarriesTheSameForScripts() throws IOException {
        Result result = run("functions", "test", "--json", "--code", EXAMPLES.resolve("forward-to-crm.js").toString(),
                "--event", EXAMPLES.resolve("events/track.json").toString(),
                "--settings", settingsWithEncryptedKey().toString(),
                "--stub", "api.crm.example=" + EXAMPLES.resolve("stubs/crm-ok.json"));

        assertThat(result.exit).isZero();
        JsonNode json = Json.MAPPER.readTree(result.out);
        assertThat(json.get("outcome").asText()).isEqualTo("ok");
        assertThat(json.get("value").get("id").asText()).isEqualTo("evt_123");
        assertThat(json.get("logs").get(0).asText()).isEqualTo("sent event for u1 with key ****");
        JsonNode request = json.get("requests").get(0);
        assertThat(request.get("method").asText()).isEqualTo("POST");
        assertThat(request.get("url").asText()).isEqualTo("https://api.crm.example/events");
        assertThat(request.get("stubbed").asBoolean()).isTrue();
        assertThat(request.get("status").asInt()).isEqualTo(200);
        assertThat(result.out).doesNotContain(API_KEY);
    }

    @Test
    void aFailedHandlerPrintsItsCategoryAndExitsWithOne() throws IOException {
        Path stub = dir.resolve("busy.json");
        Files.writeString(stub, "{\"status\":503,\"body\":\"\"}");
        Result retry = run("functions", "test", "--code", EXAMPLES.resolve("forward-to-crm.js").toString(),
                "--event", EXAMPLES.resolve("events/track.json").toString(),
                "--settings", settingsWithEncryptedKey().toString(), "--stub", "api.crm.example=" + stub);
        assertThat(retry.exit).isEqualTo(1);
        assertThat(retry.out).contains("outcome: retry (retried): RetryError: CRM answered 503",
                "POST https://api.crm.example/events -> 503 (stub)");

        Path loop = dir.resolve("loop.json");
        Files.writeString(loop, "{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"properties\":{\"loop\":true}}");
        Result timeout = run("functions", "test", "--code", EXAMPLES.resolve("runaway-loop.js").toString(),
                "--event", loop.toString(), "--timeout", "300ms");
        assertThat(timeout.exit).isEqualTo(1);
        assertThat(timeout.out).contains("outcome: timeout (retried)");
    }

    @Test
    void onBatchGetsAnArrayOfEvents() {
        Result result = run("functions", "test", "--json", "--code", EXAMPLES.resolve("batch-partial.js").toString(),
                "--event", EXAMPLES.resolve("events/batch.json").toString());
        assertThat(result.exit).isZero();
        assertThat(result.out).contains("\"value\":[{\"status\":200},{\"status\":503,\"errormessage\":\"failed with 503\"}");
    }

    @Test
    void badInputExitsWithTwoAndOneMessage() throws IOException {
        String code = EXAMPLES.resolve("forward-to-crm.js").toString();
        String event = EXAMPLES.resolve("events/track.json").toString();

        Result missing = run("functions", "test", "--code", "nope.js", "--event", event);
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("--code: file not found: nope.js");

        Path broken = dir.resolve("broken.js");
        Files.writeString(broken, "async function onTrack(e) {\n  return e.;\n}\n");
        Result syntax = run("functions", "test", "--code", broken.toString(), "--event", event);
        assertThat(syntax.exit).isEqualTo(2);
        assertThat(syntax.err).contains("broken.js: JavaScript syntax error at line 2");

        Path notJson = dir.resolve("event.json");
        Files.writeString(notJson, "{type: track");
        assertThat(run("functions", "test", "--code", code, "--event", notJson.toString()).err)
                .contains("event.json: not valid JSON");
        assertThat(run("functions", "test", "--code", code, "--event", event, "--stub", "no-equals-sign").exit)
                .isEqualTo(2);
        assertThat(run("functions", "test", "--code", code).exit).isEqualTo(2);
        assertThat(run("functions", "test", "--code", code, "--event", event, "--timeout", "soon").exit).isEqualTo(2);
        assertThat(missing.err + syntax.err).doesNotContain("\tat ");
    }

    @Test
    void encryptedValuesRoundTripWithTheKeyAndNeedIt() {
        Result encrypted = run("functions", "encrypt", "--value", API_KEY);
        assertThat(encrypted.exit).isZero();
        String token = encrypted.out.trim();
        assertThat(token).startsWith("enc:v1:").doesNotContain(API_KEY);
        assertThat(SettingsCipher.fromBase64Key(KEY).decrypt(token)).isEqualTo(API_KEY);

        Result newKey = run("functions", "new-key");
        assertThat(SettingsCipher.fromBase64Key(newKey.out.trim())).isNotNull();

        System.clearProperty("outflow.settings.key");
        try {
            Result noKey = run("functions", "encrypt", "--value", "x");
            assertThat(noKey.exit).isEqualTo(2);
            assertThat(noKey.err).contains("OUTFLOW_SETTINGS_KEY");
        } finally {
            System.setProperty("outflow.settings.key", KEY);
        }
    }

    @Test
    void helpDescribesTheSubcommands() {
        Result help = run("functions", "--help");
        assertThat(help.exit).isZero();
        assertThat(help.out).contains("test", "encrypt", "new-key");
        assertThat(run("functions", "test", "--help").out).contains("--stub", "--json", "--settings");
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = OutflowCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {}
}
