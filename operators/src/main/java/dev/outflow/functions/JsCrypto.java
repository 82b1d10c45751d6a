package dev.outflow.functions;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.event.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The Java side of the functions' {@code crypto} global and of {@code btoa}/{@code atob}, with Node's names. */
final class JsCrypto {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, String> DIGESTS = Map.of("md5", "MD5", "sha1", "SHA-1", "sha224", "SHA-224",
            "sha256", "SHA-256", "sha384", "SHA-384", "sha512", "SHA-512");
    private static final Map<String, String> MACS = Map.of("md5", "HmacMD5", "sha1", "HmacSHA1", "sha224",
            "HmacSHA224", "sha256", "HmacSHA256", "sha384", "HmacSHA384", "sha512", "HmacSHA512");
    private static final int MAX_RANDOM_BYTES = 64 * 1024;

    private JsCrypto() {}

    static String hashes() {
        return String.join(",", new java.util.TreeSet<>(DIGESTS.keySet()));
    }

    static void checkAlgorithm(String algorithm) {
        if (!DIGESTS.containsKey(normalize(algorithm))) {
            throw new IllegalArgumentException("Digest method not supported: " + algorithm);
        }
    }

    /**
     * Hex digest of {@code chunksJson} (a JSON list of {@code [encoding, data]}), keyed when {@code keyJson}
     * (one such pair) is given.
     */
    static String digest(String algorithm, String keyJson, String chunksJson) throws IOException,
            GeneralSecurityException {
        String name = normalize(algorithm);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (JsonNode chunk : Json.MAPPER.readTree(chunksJson)) {
            data.writeBytes(decode(chunk.get(0).asText(), chunk.get(1).asText()));
        }
        byte[] result;
        if (keyJson == null) {
            result = MessageDigest.getInstance(DIGESTS.get(name)).digest(data.toByteArray());
        } else {
            JsonNode key = Json.MAPPER.readTree(keyJson);
            byte[] keyBytes = decode(key.get(0).asText(), key.get(1).asText());
            Mac mac = Mac.getInstance(MACS.get(name));
            // an empty HMAC key is legal in Node; SecretKeySpec refuses it, so use one zero byte (same result)
            mac.init(new SecretKeySpec(keyBytes.length == 0 ? new byte[1] : keyBytes, MACS.get(name)));
            result = mac.doFinal(data.toByteArray());
        }
        return HexFormat.of().formatHex(result);
    }

    static String encodeHex(String hex, String encoding) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "hex" -> hex;
            case "base64" -> Base64.getEncoder().encodeToString(bytes);
            case "base64url" -> Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            case "latin1", "binary" -> new String(bytes, StandardCharsets.ISO_8859_1);
            case "utf8", "utf-8" -> new String(bytes, StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException("Unknown encoding: " + encoding);
        };
    }

    static String randomHex(int size) {
        if (size < 0 || size > MAX_RANDOM_BYTES) {
            throw new IllegalArgumentException("The value of \"size\" is out of range: " + size);
        }
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String randomUuid() {
        return UUID.randomUUID().toString();
    }

    /** The npm {@code btoa} package: the low byte of each character, base64. */
    static String btoa(String text) {
        return Base64.getEncoder().encodeToString(latin1(text));
    }

    /** The npm {@code atob} package: base64 to a binary string, lenient about whitespace and padding. */
    static String atob(String base64) {
        String cleaned = base64.replaceAll("[\\s]", "").replace('-', '+').replace('_', '/').replace("=", "");
        return new String(Base64.getDecoder().decode(cleaned), StandardCharsets.ISO_8859_1);
    }

    private static byte[] latin1(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            bytes[i] = (byte) text.charAt(i);
        }
        return bytes;
    }

    private static byte[] decode(String encoding, String data) {
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "hex" -> HexFormat.of().parseHex(data.length() % 2 == 0 ? data : data.substring(0, data.length() - 1));
            case "base64", "base64url" -> Base64.getDecoder().decode(
                    data.replace('-', '+').replace('_', '/').replace("=", ""));
            case "latin1", "binary", "ascii" -> latin1(data);
            default -> data.getBytes(StandardCharsets.UTF_8);
        };
    }

    private static String normalize(String algorithm) {
        return algorithm.toLowerCase(Locale.ROOT).replace("-", "");
    }
}
