package dev.outflow.schemas.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code function} destination type in catalogs, and its encrypted settings. */
class FunctionCatalogTest {

    private static final String KEY = SettingsCipher.newKey();
    private static final String SECRET = "sk_live_catalog_91c";

    @TempDir
    Path dir;

    private Path catalog(String yaml) throws IOException {
        Files.createDirectories(dir.resolve("functions"));
        Files.writeString(dir.resolve("functions/crm.js"), "async function onTrack(event, settings) { return 1; }\n");
        Path file = dir.resolve("destinations.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static CatalogLoader loader(String key) {
        return key == null ? new CatalogLoader(name -> null)
                : new CatalogLoader(Map.of(SettingsCipher.KEY_VARIABLE, key)::get);
    }

    @Test
    void aFunctionDestinationReadsItsCodeRelativeToTheCatalogAndKeepsSecretsEncrypted() throws Exception {
        String token = SettingsCipher.fromBase64Key(KEY).encrypt(SECRET);
        Path file = catalog("""
                destinations:
                  - id: crm-fn
                    type: function
                    code: functions/crm.js
                    settings: {apiUrl: "https://api.crm.example", retries: 3, regions: [eu, us]}
                    encryptedSettings: {apiKey: "%s"}
                    batching: {maxEvents: 20, maxWait: 2s}
                """.formatted(token));

        DestinationConfig destination = loader(KEY).load(file).get("crm-fn");

        assertThat(destination.type()).isEqualTo(DestinationType.FUNCTION);
        assertThat(destination.endpoint()).isNull();
        assertThat(destination.delivery().timeoutMs()).as("Segment's 5 s per invocation").isEqualTo(5_000);
        assertThat(destination.batching().maxEvents()).isEqualTo(20);
        FunctionConfig function = destination.function();
        assertThat(function.codeFile()).isEqualTo(dir.resolve("functions/crm.js").toString());
        assertThat(function.code()).contains("async function onTrack");
        assertThat(function.settingsJson()).isEqualTo("{\"apiUrl\":\"https://api.crm.example\",\"retries\":3,"
                + "\"regions\":[\"eu\",\"us\"]}");
        assertThat(function.encryptedSettings()).containsEntry("apiKey", token);
        assertThat(destination.toString()).doesNotContain(token).doesNotContain(SECRET).contains("apiKey=****");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(destination);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(destination);
        }
        assertThat(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
    }

    @Test
    void mistakesNameFileDestinationAndField() throws IOException {
        String token = SettingsCipher.fromBase64Key(KEY).encrypt(SECRET);
        expectProblem(KEY, "code: functions/missing.js", "field 'code'", "file not found");
        expectProblem(KEY, "code: functions/crm.js\n    endpoint: https://x.example", "field 'endpoint'",
                "is not used by a function destination");
        expectProblem(KEY, "code: functions/crm.js\n    settings: [1, 2]", "field 'settings'", "must be a mapping");
        expectProblem(null, "code: functions/crm.js\n    encryptedSettings: {apiKey: \"" + token + "\"}",
                "field 'encryptedSettings'", "OUTFLOW_SETTINGS_KEY, which is not set");
        expectProblem(SettingsCipher.newKey(), "code: functions/crm.js\n    encryptedSettings: {apiKey: \"" + token
                + "\"}", "field 'encryptedSettings.apiKey'", "cannot be decrypted");
        expectProblem(KEY, "code: functions/crm.js\n    encryptedSettings: {apiKey: plain-text}",
                "field 'encryptedSettings.apiKey'", "is not an encrypted value");
        expectProblem(KEY, "code: functions/crm.js\n    settings: {apiKey: a}\n    encryptedSettings: {apiKey: \""
                + token + "\"}", "field 'encryptedSettings.apiKey'", "is also a plain setting");
        expectProblem(KEY, "codee: functions/crm.js", "field 'code'", "is required");
    }

    @Test
    void webhookDestinationsRejectFunctionFields() throws IOException {
        Path file = catalog("""
                destinations:
                  - id: hook
                    type: webhook
                    endpoint: https://hooks.example/in
                    code: functions/crm.js
                """);
        assertThatThrownBy(() -> loader(KEY).load(file)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("destination 'hook', field 'code': is only used by destinations of type: function");
    }

    @Test
    void theCipherRefusesAlteredTokensAndBadKeys() {
        SettingsCipher cipher = SettingsCipher.fromBase64Key(KEY);
        String token = cipher.encrypt(SECRET);
        assertThat(cipher.encrypt(SECRET)).as("a fresh nonce each time").isNotEqualTo(token);
        assertThat(cipher.decrypt(token)).isEqualTo(SECRET);
        char[] altered = token.toCharArray();
        altered[altered.length - 3] = altered[altered.length - 3] == 'A' ? 'B' : 'A';
        assertThatThrownBy(() -> cipher.decrypt(new String(altered))).hasMessageContaining("cannot be decrypted");
        assertThatThrownBy(() -> SettingsCipher.fromBase64Key("c2hvcnQ=")).hasMessageContaining("must be 32 bytes")
                .hasMessageNotContaining("c2hvcnQ");
    }

    private void expectProblem(String key, String fields, String field, String problem) throws IOException {
        Path file = catalog("destinations:\n  - id: fn\n    type: function\n    " + fields + "\n");
        assertThatThrownBy(() -> loader(key).load(file))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith(file + ": destination 'fn', " + field)
                .hasMessageContaining(problem)
                .hasMessageNotContaining(SECRET);
    }
}
