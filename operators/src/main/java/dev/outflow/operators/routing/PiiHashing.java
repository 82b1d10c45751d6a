package dev.outflow.operators.routing;

import dev.outflow.schemas.catalog.DataCategory.PiiKind;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hashes personal data the way ad and CRM platforms match it: the value is normalized (email trimmed and
 * lower-cased; phone in E.164, {@code +} and digits) and replaced by its SHA-256 as 64 lower-case hex digits. A
 * value that already is a SHA-256 hex digest is returned unchanged, so nothing is hashed twice.
 */
public final class PiiHashing {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private PiiHashing() {}

    public static String hash(String value, PiiKind kind) {
        if (isSha256Hex(value)) {
            return value;
        }
        return sha256Hex(normalize(value, kind));
    }

    public static boolean isSha256Hex(String value) {
        return value.length() == 64 && SHA256_HEX.matcher(value).matches();
    }

    /**
     * Phones keep a leading {@code +} and the digits; {@code 00} before the country code becomes {@code +}, and a
     * number without either is taken to start with its country code (E.164 cannot be guessed without one).
     */
    public static String normalize(String value, PiiKind kind) {
        String trimmed = value.strip();
        return switch (kind) {
            case EMAIL -> trimmed.toLowerCase(Locale.ROOT);
            case PHONE -> {
                String digits = trimmed.replaceAll("[^0-9]", "");
                if (!trimmed.startsWith("+") && digits.startsWith("00")) {
                    digits = digits.substring(2);
                }
                yield digits.isEmpty() ? "" : "+" + digits;
            }
            case OTHER -> trimmed;
        };
    }

    static String sha256Hex(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
