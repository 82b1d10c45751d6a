package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A field path as upstream's {@code @path} reads it: the first {@code "$."} is dropped, the rest is
 * split on dots and brackets ({@code a.b[0].c}), and each segment is a property lookup. Like the
 * JavaScript {@code prev && prev[key]} walk it mirrors, a falsy value part-way down (null, 0, "",
 * false) is the result, while a missing property is undefined.
 */
final class JsPath implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SEGMENT = Pattern.compile("[^\\[.\\]]+");

    private final String source;
    private final String[] segments;

    private JsPath(String source, String[] segments) {
        this.source = source;
        this.segments = segments;
    }

    /** Parses a {@code @path} value, including its optional {@code $.} root prefix. */
    static JsPath parseMappingPath(String path) {
        return parse(path.replaceFirst(Pattern.quote("$."), ""));
    }

    /** Parses a bare path with no root prefix, as {@code {{placeholders}}} use. */
    static JsPath parse(String path) {
        if (path.isEmpty() || path.equals(".")) {
            return new JsPath(path, new String[0]);
        }
        List<String> segments = new ArrayList<>();
        Matcher matcher = SEGMENT.matcher(path);
        while (matcher.find()) {
            segments.add(matcher.group());
        }
        // upstream calls reduce on the null match result and throws; keep that as a marker
        return new JsPath(path, segments.isEmpty() ? null : segments.toArray(String[]::new));
    }

    JsonNode read(JsonNode root) {
        if (segments == null) {
            throw new MappingRuntimeException("invalid path \"" + source + "\": it names no property");
        }
        JsonNode current = root;
        for (String segment : segments) {
            if (!JsValues.isTruthy(current)) {
                return JsValues.isUndefined(current) ? JsValues.UNDEFINED : current;
            }
            current = property(current, segment);
        }
        return current == null ? JsValues.UNDEFINED : current;
    }

    private static JsonNode property(JsonNode value, String key) {
        if (value.isObject()) {
            JsonNode field = value.get(key);
            return field == null ? JsValues.UNDEFINED : field;
        }
        if (value.isArray()) {
            if (key.equals("length")) {
                return JsValues.NODES.numberNode(value.size());
            }
            if (JsValues.isArrayIndex(key)) {
                long index = Long.parseLong(key);
                return index < value.size() ? value.get((int) index) : JsValues.UNDEFINED;
            }
            return JsValues.UNDEFINED;
        }
        if (value.isTextual()) {
            String text = value.textValue();
            if (key.equals("length")) {
                return JsValues.NODES.numberNode(text.length());
            }
            if (JsValues.isArrayIndex(key)) {
                long index = Long.parseLong(key);
                return index < text.length() ? JsValues.NODES.textNode(String.valueOf(text.charAt((int) index))) : JsValues.UNDEFINED;
            }
        }
        return JsValues.UNDEFINED;
    }

    @Override
    public String toString() {
        return source;
    }
}
