package dev.outflow.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.catalog.FunctionConfig;
import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.event.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The settings object a function's handlers receive: the plain settings plus the encrypted ones, decrypted.
 * Built inside the task, right before the sandbox that is the only thing to see the plaintext; the decrypted
 * values are kept for masking only.
 *
 * @param json the settings object as JSON
 * @param secrets decrypted values, to be masked in everything that leaves the sandbox
 */
public record FunctionSettings(String json, List<String> secrets) {

    public FunctionSettings {
        secrets = List.copyOf(secrets);
    }

    /** Decrypts with {@code cipher}, which may be null only when there is nothing encrypted. */
    public static FunctionSettings resolve(FunctionConfig function, SettingsCipher cipher) {
        ObjectNode settings;
        try {
            settings = (ObjectNode) Json.MAPPER.readTree(function.settingsJson());
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException(function.codeFile() + ": settings are not a JSON object");
        }
        List<String> secrets = new ArrayList<>();
        for (Map.Entry<String, String> encrypted : function.encryptedSettings().entrySet()) {
            if (cipher == null) {
                throw new IllegalStateException("encrypted setting '" + encrypted.getKey() + "' needs the key in "
                        + SettingsCipher.KEY_VARIABLE + ", which is not set on this task manager");
            }
            String plain;
            try {
                plain = cipher.decrypt(encrypted.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("encrypted setting '" + encrypted.getKey() + "' " + e.getMessage());
            }
            settings.put(encrypted.getKey(), plain);
            secrets.add(plain);
        }
        return new FunctionSettings(settings.toString(), secrets);
    }

    @Override
    public String toString() {
        return "FunctionSettings[" + secrets.size() + " secret(s), not shown]";
    }
}
