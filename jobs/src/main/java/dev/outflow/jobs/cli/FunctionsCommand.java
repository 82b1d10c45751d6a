package dev.outflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.functions.FunctionInstance;
import dev.outflow.functions.FunctionOutcome;
import dev.outflow.functions.FunctionSettings;
import dev.outflow.functions.InvocationResult;
import dev.outflow.functions.JsSyntaxChecker;
import dev.outflow.functions.OutboundRequest;
import dev.outflow.functions.StubbingTransport;
import dev.outflow.jobs.cli.OutflowCli.BadInputException;
import dev.outflow.operators.delivery.ApacheHttpTransport;
import dev.outflow.operators.delivery.HttpExchange;
import dev.outflow.schemas.catalog.FunctionConfig;
import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.event.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code outflow functions ...}: write and try destination functions. */
@Command(name = "functions", mixinStandardHelpOptions = true,
        description = "Test destination functions and encrypt their settings.",
        subcommands = {FunctionsCommand.Test.class, FunctionsCommand.Encrypt.class, FunctionsCommand.NewKey.class})
public final class FunctionsCommand {

    /**
     * {@code outflow functions test}: one event through the handler, like Segment's function editor. Exit 0 when
     * the handler succeeded, 1 when it failed (the outcome says how), 2 on bad input.
     */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Run one event (or a JSON array of events, for onBatch) through a function and print the "
                    + "outcome, the captured console output and every outbound request (secrets masked).",
                    "Exit code: 0 when the handler succeeded, 1 when it failed, 2 on bad input."})
    static final class Test implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--code", required = true, paramLabel = "FILE", description = "the function's JavaScript")
        Path code;

        @Option(names = "--event", required = true, paramLabel = "FILE",
                description = "a Segment event as JSON, or an array of events to call onBatch with")
        Path event;

        @Option(names = "--settings", paramLabel = "FILE",
                description = "settings as a JSON object; values made by 'functions encrypt' are decrypted with "
                        + SettingsCipher.KEY_VARIABLE + " and masked in the output")
        Path settings;

        @Option(names = "--stub", paramLabel = "HOST=RESPONSE_FILE",
                description = "answer requests to HOST (or HOST:PORT) from RESPONSE_FILE; they never leave the "
                        + "machine. The file is a body, or {\"status\":..,\"headers\":{..},\"body\":..}. Repeatable.")
        List<String> stubs = new ArrayList<>();

        @Option(names = "--json", description = "print one JSON object (outcome, logs, requests) for scripts")
        boolean json;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "5s", description = "time limit of the invocation (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            String source = read(code, "--code");
            new JsSyntaxChecker().check(code.toString(), source).ifPresent(problem -> {
                throw new BadInputException(code + ": " + problem);
            });
            JsonNode eventJson = readJson(event, "--event");
            String type;
            if (eventJson.isArray()) {
                type = "batch";
            } else if (eventJson.isObject() && eventJson.path("type").isTextual()) {
                type = eventJson.get("type").asText().toLowerCase(Locale.ROOT);
            } else {
                throw new BadInputException(event + ": must be an event object with a \"type\", or an array of events");
            }
            FunctionSettings resolved = settings();
            if (timeout.isZero() || timeout.isNegative()) {
                throw new BadInputException("--timeout must be positive");
            }
            try (StubbingTransport transport = new StubbingTransport(stubs(), () -> new ApacheHttpTransport(8));
                    FunctionInstance function = new FunctionInstance("test", code.toString(), source,
                            resolved.json(), resolved.secrets(), transport,
                            FunctionInstance.Limits.DEFAULTS.withTimeoutMs(timeout.toMillis()))) {
                InvocationResult result = function.invoke(type, eventJson.toString())
                        .get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(asJson(result, transport));
                } else {
                    print(out, result, transport);
                }
                out.flush();
                return result.outcome() == FunctionOutcome.OK ? 0 : 1;
            }
        }

        private FunctionSettings settings() {
            if (settings == null) {
                return new FunctionSettings("{}", List.of());
            }
            JsonNode node = readJson(settings, "--settings");
            if (!node.isObject()) {
                throw new BadInputException(settings + ": settings must be a JSON object");
            }
            ObjectNode plain = Json.MAPPER.createObjectNode();
            Map<String, String> encrypted = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isTextual() && SettingsCipher.isToken(field.getValue().asText())) {
                    encrypted.put(field.getKey(), field.getValue().asText());
                } else {
                    plain.set(field.getKey(), field.getValue());
                }
            }
            SettingsCipher cipher = null;
            if (!encrypted.isEmpty()) {
                cipher = OutflowCliKeys.cipher(settings + ": encrypted settings " + encrypted.keySet());
            }
            try {
                return FunctionSettings.resolve(new FunctionConfig(code.toString(), "", plain.toString(), encrypted),
                        cipher);
            } catch (IllegalStateException e) {
                throw new BadInputException(settings + ": " + e.getMessage());
            }
        }

        private Map<String, HttpExchange.Response> stubs() {
            Map<String, HttpExchange.Response> responses = new LinkedHashMap<>();
            for (String stub : stubs) {
                int eq = stub.indexOf('=');
                if (eq <= 0 || eq == stub.length() - 1) {
                    throw new BadInputException("--stub must be HOST=RESPONSE_FILE, got '" + stub + "'");
                }
                String host = stub.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                Path file = Path.of(stub.substring(eq + 1).trim());
                responses.put(host, response(file, read(file, "--stub " + host)));
            }
            return responses;
        }

        private static HttpExchange.Response response(Path file, String text) {
            JsonNode node = null;
            try {
                node = Json.MAPPER.readTree(text);
            } catch (IOException notJson) {
                // a plain-text body
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            if (node != null && node.isObject() && node.has("status")) {
                if (!node.get("status").canConvertToInt() || node.get("status").asInt() < 100
                        || node.get("status").asInt() > 599) {
                    throw new BadInputException(file + ": \"status\" must be an HTTP status (100 to 599)");
                }
                node.path("headers").fields().forEachRemaining(h -> headers.add(
                        new AbstractMap.SimpleImmutableEntry<>(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText())));
                JsonNode body = node.get("body");
                String bodyText = body == null || body.isNull() ? "" : body.isTextual() ? body.asText() : body.toString();
                if (body != null && !body.isTextual() && headers.stream().noneMatch(h -> h.getKey().equals("content-type"))) {
                    headers.add(new AbstractMap.SimpleImmutableEntry<>("content-type", "application/json"));
                }
                return new HttpExchange.Response(node.get("status").asInt(), headers,
                        bodyText.getBytes(StandardCharsets.UTF_8), false);
            }
            headers.add(new AbstractMap.SimpleImmutableEntry<>("content-type",
                    node != null ? "application/json" : "text/plain; charset=utf-8"));
            return new HttpExchange.Response(200, headers, text.getBytes(StandardCharsets.UTF_8), false);
        }

        private static void print(PrintWriter out, InvocationResult result, StubbingTransport transport) {
            if (result.outcome() == FunctionOutcome.OK) {
                out.println("outcome: ok (delivered)");
                out.println("returned: " + (result.value() == null ? "undefined" : result.value()));
            } else {
                out.printf("outcome: %s (%s): %s: %s%n", result.outcome().category(),
                        result.outcome().attemptOutcome() == dev.outflow.schemas.delivery.AttemptOutcome.RETRYABLE
                                ? "retried" : "discarded", result.errorName(), result.errorMessage());
            }
            out.printf("took: %d ms%n", result.durationNanos() / 1_000_000);
            out.println("logs:" + (result.logs().isEmpty() ? " (none)" : ""));
            result.logs().forEach(line -> out.println("  " + line));
            out.println("requests:" + (result.requests().isEmpty() ? " (none)" : ""));
            for (OutboundRequest request : result.requests()) {
                out.printf("  %s %s -> %s%s%n", request.method(), request.url(),
                        request.error() != null ? "failed: " + request.error() : String.valueOf(request.status()),
                        transport.stubbed(request.url()) ? " (stub)" : "");
                request.headers().forEach(h -> out.printf("    %s: %s%n", h.getKey(), h.getValue()));
                if (request.body() != null) {
                    out.println("    body: " + request.body());
                }
            }
        }

        private static String asJson(InvocationResult result, StubbingTransport transport) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("outcome", result.outcome().category());
            root.put("retried", result.outcome().attemptOutcome()
                    == dev.outflow.schemas.delivery.AttemptOutcome.RETRYABLE);
            if (result.value() != null) {
                try {
                    root.set("value", Json.MAPPER.readTree(result.value()));
                } catch (IOException notJson) {
                    root.put("value", result.value());
                }
            }
            if (result.outcome() != FunctionOutcome.OK) {
                root.putObject("error").put("name", result.errorName()).put("message", result.errorMessage());
            }
            root.put("tookMs", result.durationNanos() / 1_000_000);
            ArrayNode logs = root.putArray("logs");
            result.logs().forEach(logs::add);
            ArrayNode requests = root.putArray("requests");
            for (OutboundRequest request : result.requests()) {
                ObjectNode node = requests.addObject();
                node.put("method", request.method()).put("url", request.url());
                ArrayNode headers = node.putArray("headers");
                request.headers().forEach(h -> headers.addArray().add(h.getKey()).add(h.getValue()));
                node.put("body", request.body());
                node.put("status", request.status());
                node.put("error", request.error());
                node.put("stubbed", transport.stubbed(request.url()));
            }
            return root.toString();
        }

        private JsonNode readJson(Path file, String option) {
            try {
                return Json.MAPPER.readTree(read(file, option));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadInputException(file + ": not valid JSON: " + e.getOriginalMessage());
            }
        }
    }

    /** {@code outflow functions encrypt}: a value for {@code encryptedSettings}, with the environment's key. */
    @Command(name = "encrypt", mixinStandardHelpOptions = true,
            description = {"Encrypt a setting for a function destination's encryptedSettings (AES-256-GCM with the key "
                    + "in " + SettingsCipher.KEY_VARIABLE + "). Reads the value from standard input unless --value "
                    + "is given (which leaves it in your shell history)."})
    static final class Encrypt implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--value", paramLabel = "TEXT", description = "the value (default: one line of standard input)")
        String value;

        @Override
        public Integer call() throws IOException {
            SettingsCipher cipher = OutflowCliKeys.cipher("encrypting");
            String plain = value;
            if (plain == null) {
                plain = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            if (plain == null || plain.isEmpty()) {
                throw new BadInputException("nothing to encrypt: give --value or one line on standard input");
            }
            spec.commandLine().getOut().println(cipher.encrypt(plain));
            return 0;
        }
    }

    /** {@code outflow functions new-key}: a fresh key for {@value SettingsCipher#KEY_VARIABLE}. */
    @Command(name = "new-key", mixinStandardHelpOptions = true,
            description = "Print a new random key for " + SettingsCipher.KEY_VARIABLE + " (base64 of 32 bytes).")
    static final class NewKey implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(SettingsCipher.newKey());
            return 0;
        }
    }

    static String read(Path file, String option) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(option + ": file not found: " + file);
        } catch (IOException e) {
            throw new BadInputException(option + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The settings key from the environment (or the {@code outflow.settings.key} property, for tests). */
    static final class OutflowCliKeys {
        private OutflowCliKeys() {}

        static SettingsCipher cipher(String what) {
            String key = System.getenv(SettingsCipher.KEY_VARIABLE);
            if (key == null || key.isBlank()) {
                key = System.getProperty("outflow.settings.key");
            }
            if (key == null || key.isBlank()) {
                throw new BadInputException(what + " needs the key in environment variable "
                        + SettingsCipher.KEY_VARIABLE + " (make one with: ./outflow functions new-key)");
            }
            try {
                return SettingsCipher.fromBase64Key(key);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
        }
    }
}
