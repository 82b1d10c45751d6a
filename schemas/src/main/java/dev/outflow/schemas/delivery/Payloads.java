package dev.outflow.schemas.delivery;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Puts input bytes into a JSON record unchanged: as text when they are UTF-8, else as base64. */
final class Payloads {

    private Payloads() {}

    static String encoding(byte[] bytes) {
        return decode(bytes) == null ? "base64" : "utf8";
    }

    static String text(byte[] bytes) {
        String text = decode(bytes);
        return text != null ? text : Base64.getEncoder().encodeToString(bytes);
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
