package dev.outflow.schemas.catalog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts function settings with AES-256-GCM. A token is {@code enc:v1:} followed by the base64 of
 * a 12-byte random nonce and the ciphertext with its 16-byte tag, so a tampered or wrongly keyed value fails to
 * decrypt instead of yielding garbage. The key is 32 random bytes, base64, supplied by the environment
 * ({@value #KEY_VARIABLE}).
 */
public final class SettingsCipher {

    /** The environment variable (on the client and on every task manager) that holds the key. */
    public static final String KEY_VARIABLE = "OUTFLOW_SETTINGS_KEY";

    private static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    private SettingsCipher(SecretKey key) {
        this.key = key;
    }

    /** A cipher for a base64 key; the message never contains the key. */
    public static SettingsCipher fromBase64Key(String base64Key) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY_VARIABLE + " is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(KEY_VARIABLE + " must be 32 bytes (base64 of 32 random bytes), got "
                    + raw.length);
        }
        return new SettingsCipher(new SecretKeySpec(raw, "AES"));
    }

    /** A new random key, base64. */
    public static String newKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    public static boolean isToken(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    public String encrypt(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** The plaintext; throws {@link IllegalArgumentException} (without the value) when the token is not ours. */
    public String decrypt(String token) {
        if (!isToken(token)) {
            throw new IllegalArgumentException("is not an encrypted value (expected " + PREFIX
                    + "..., made by ./outflow functions encrypt)");
        }
        byte[] sealed;
        try {
            sealed = Base64.getDecoder().decode(token.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid base64 after " + PREFIX);
        }
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("is too short to be an encrypted value");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot be decrypted with " + KEY_VARIABLE
                    + " (wrong key or altered value)");
        }
    }
}
