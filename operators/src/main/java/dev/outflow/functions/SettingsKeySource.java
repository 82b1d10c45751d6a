package dev.outflow.functions;

import dev.outflow.schemas.catalog.SettingsCipher;

import java.io.Serializable;

/**
 * Where a task manager gets the key for encrypted function settings. Shipped with the job graph, so it holds a
 * way to find the key, never the key itself (except in tests).
 */
@FunctionalInterface
public interface SettingsKeySource extends Serializable {

    /** The base64 key, or null when none is configured. */
    String key();

    /** The task manager's environment variable {@value SettingsCipher#KEY_VARIABLE}. */
    static SettingsKeySource environment() {
        return () -> System.getenv(SettingsCipher.KEY_VARIABLE);
    }

    default SettingsCipher cipher() {
        String key = key();
        return key == null || key.isBlank() ? null : SettingsCipher.fromBase64Key(key);
    }
}
