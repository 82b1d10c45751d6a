package dev.outflow.schemas.catalog;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JavaScript of a {@code function} destination and the settings it is called with. The code travels with the
 * job graph, so task managers never read the file. Encrypted settings stay encrypted here: they are decrypted
 * only when the function's sandbox is built, inside the task.
 *
 * @param codeFile where the code was read from, for messages
 * @param code the JavaScript source, a sloppy-mode script defining {@code onTrack}, ... {@code onBatch}
 * @param settingsJson plain settings as a JSON object
 * @param encryptedSettings setting name to {@link SettingsCipher} token
 */
public record FunctionConfig(String codeFile, String code, String settingsJson, Map<String, String> encryptedSettings)
        implements Serializable {

    public FunctionConfig {
        encryptedSettings = Map.copyOf(encryptedSettings);
    }

    @Override
    public String toString() {
        Map<String, String> masked = new TreeMap<>();
        encryptedSettings.keySet().forEach(name -> masked.put(name, "****"));
        return "FunctionConfig[codeFile=" + codeFile + ", " + code.length() + " chars, settings=" + settingsJson
                + ", encryptedSettings=" + masked + "]";
    }
}
