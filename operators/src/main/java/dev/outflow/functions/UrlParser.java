package dev.outflow.functions;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.event.Json;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/** Splits URLs for the functions' {@code URL} class, with WHATWG's defaults for the special schemes. */
final class UrlParser {

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443, "ws", 80, "wss", 443,
            "ftp", 21);

    private UrlParser() {}

    /** The parts as a JSON object, or null when the input is not a valid (absolute or resolvable) URL. */
    static String parse(String input, String base) {
        try {
            URI uri = uri(input);
            if (base != null && uri.getScheme() == null) {
                URI baseUri = uri(base);
                if (baseUri.getScheme() == null) {
                    return null;
                }
                uri = baseUri.resolve(uri);
            }
            if (uri.getScheme() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            boolean special = DEFAULT_PORTS.containsKey(scheme);
            if (special && (uri.getRawAuthority() == null || uri.getHost() == null)) {
                return null;
            }
            ObjectNode parts = Json.MAPPER.createObjectNode();
            parts.put("protocol", scheme + ":");
            String userInfo = uri.getRawUserInfo();
            int colon = userInfo == null ? -1 : userInfo.indexOf(':');
            parts.put("username", userInfo == null ? "" : colon < 0 ? userInfo : userInfo.substring(0, colon));
            parts.put("password", colon < 0 ? "" : userInfo.substring(colon + 1));
            parts.put("hostname", uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT));
            int port = uri.getPort();
            parts.put("port", port < 0 || Integer.valueOf(port).equals(DEFAULT_PORTS.get(scheme)) ? "" : String.valueOf(port));
            String path = uri.isOpaque() ? uri.getRawSchemeSpecificPart() : uri.getRawPath();
            parts.put("pathname", (path == null || path.isEmpty()) && special ? "/" : path == null ? "" : path);
            parts.put("search", uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            parts.put("hash", uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
            return parts.toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** java.net.URI is stricter than browsers: percent-encode what WHATWG would, and treat {@code \} as {@code /}. */
    private static URI uri(String input) throws URISyntaxException {
        String trimmed = input.strip();
        StringBuilder encoded = new StringBuilder(trimmed.length());
        boolean inFragment = false;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '#') {
                if (inFragment) {
                    encoded.append("%23");
                    continue;
                }
                inFragment = true;
            }
            switch (c) {
                case ' ' -> encoded.append("%20");
                case '"' -> encoded.append("%22");
                case '<' -> encoded.append("%3C");
                case '>' -> encoded.append("%3E");
                case '`' -> encoded.append("%60");
                case '{' -> encoded.append("%7B");
                case '}' -> encoded.append("%7D");
                case '|' -> encoded.append("%7C");
                case '^' -> encoded.append("%5E");
                case '\\' -> encoded.append('/');
                default -> {
                    if (c > 0x7e) {
                        encoded.append(java.net.URLEncoder.encode(String.valueOf(c), java.nio.charset.StandardCharsets.UTF_8));
                    } else {
                        encoded.append(c);
                    }
                }
            }
        }
        return new URI(encoded.toString());
    }
}
