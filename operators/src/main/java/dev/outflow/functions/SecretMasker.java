package dev.outflow.functions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Replaces decrypted setting values, and their base64 and URL-encoded forms, with {@code ****} in anything a
 * function produces that leaves its sandbox (logs, error messages, recorded requests, return values).
 */
public final class SecretMasker {

    public static final String MASK = "****";
    /** Shorter values would mask innocent text everywhere; such a "secret" protects nothing anyway. */
    private static final int MIN_LENGTH = 4;
    private static final Set<String> SENSITIVE_HEADERS =
            Set.of("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie");

    private final List<String> needles;

    public SecretMasker(Collection<String> secrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < MIN_LENGTH) {
                continue;
            }
            forms.add(secret);
            forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)).replace("=", ""));
            forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        }
        List<String> sorted = new ArrayList<>(forms);
        // longest first, so a secret inside another is not half-masked
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.needles = List.copyOf(sorted);
    }

    public static SecretMasker none() {
        return new SecretMasker(List.of());
    }

    public String mask(String text) {
        if (text == null || needles.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String needle : needles) {
            if (masked.contains(needle)) {
                masked = masked.replace(needle, MASK);
            }
        }
        return masked;
    }

    /** Credentials-bearing headers are masked whole; others only where a secret occurs. */
    public String maskHeader(String name, String value) {
        return SENSITIVE_HEADERS.contains(name.toLowerCase(Locale.ROOT)) ? MASK : mask(value);
    }
}
