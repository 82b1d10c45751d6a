package dev.outflow.rules.mapping;

import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JavaScript value semantics over Jackson trees. The mapping-kit is defined by what its
 * JavaScript implementation does, so truthiness, {@code String(x)}, {@code JSON.stringify}
 * and number printing are reproduced here rather than borrowed from Java or Jackson.
 *
 * <p>JavaScript {@code undefined} is {@link MissingNode}; {@code null} is {@code NullNode}.
 * Trees handed around during evaluation are never mutated, so input and constant
 * subtrees can be shared until the final {@link #stripUndefined} copy.
 */
final class JsValues {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final JsonNode UNDEFINED = MissingNode.getInstance();

    private JsValues() {}

    static boolean isUndefined(JsonNode value) {
        return value == null || value.isMissingNode();
    }

    static boolean isNullish(JsonNode value) {
        return isUndefined(value) || value.isNull();
    }

    static boolean isTruthy(JsonNode value) {
        if (isNullish(value)) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            double d = value.doubleValue();
            return d != 0 && !Double.isNaN(d);
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        return true;
    }

    /** The name upstream's {@code realTypeOf} gives: string, number, boolean, null, object, array or undefined. */
    static String typeName(JsonNode value) {
        if (isUndefined(value)) {
            return "undefined";
        }
        if (value.isTextual()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isObject()) {
            return "object";
        }
        // binary and POJO nodes never come out of JSON text; treat them as opaque objects
        return "object";
    }

    /** {@code value == ''} with JavaScript's loose equality, used by {@code @if blank}. */
    static boolean looselyEqualsEmptyString(JsonNode value) {
        if (isNullish(value)) {
            return false;
        }
        if (value.isTextual()) {
            return value.textValue().isEmpty();
        }
        if (value.isNumber()) {
            return value.doubleValue() == 0;
        }
        if (value.isBoolean()) {
            return !value.booleanValue();
        }
        if (value.isArray()) {
            return toJsString(value).isEmpty();
        }
        return false;
    }

    /** JavaScript {@code String(value)}. */
    static String toJsString(JsonNode value) {
        if (isUndefined(value)) {
            return "undefined";
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber()) {
            return numberToString(value);
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    joined.append(',');
                }
                JsonNode element = value.get(i);
                if (!isNullish(element)) {
                    joined.append(toJsString(element));
                }
            }
            return joined.toString();
        }
        return "[object Object]";
    }

    static String numberToString(JsonNode number) {
        if (number.isIntegralNumber() && number.canConvertToLong()) {
            long l = number.longValue();
            if (Math.abs(l) < 1e21) {
                return Long.toString(l);
            }
        }
        return numberToString(number.doubleValue());
    }

    /** ECMAScript Number::toString(10): shortest round-trip digits, laid out the JavaScript way. */
    static String numberToString(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return "0";
        }
        if (d < 0) {
            return "-" + numberToString(-d);
        }
        // Jackson's fast writer is Schubfach, which yields the shortest digits that round-trip
        BigDecimal shortest = new BigDecimal(NumberOutput.toString(d, true)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale();
        StringBuilder out = new StringBuilder();
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int exponent = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent));
        }
        return out.toString();
    }

    /** JavaScript {@code JSON.stringify(value)}; {@code null} stands for its {@code undefined} result. */
    static String stringify(JsonNode value) {
        if (isUndefined(value)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        appendJson(out, value);
        return out.toString();
    }

    private static void appendJson(StringBuilder out, JsonNode value) {
        if (value.isTextual()) {
            appendQuoted(out, value.textValue());
        } else if (value.isNumber()) {
            double d = value.doubleValue();
            out.append(Double.isFinite(d) ? numberToString(value) : "null");
        } else if (value.isBoolean()) {
            out.append(value.booleanValue());
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                JsonNode element = value.get(i);
                if (isUndefined(element)) {
                    out.append("null");
                } else {
                    appendJson(out, element);
                }
            }
            out.append(']');
        } else if (value.isObject()) {
            out.append('{');
            boolean first = true;
            for (String key : jsKeyOrder(value)) {
                JsonNode field = value.get(key);
                if (isUndefined(field)) {
                    continue;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                appendQuoted(out, key);
                out.append(':');
                appendJson(out, field);
            }
            out.append('}');
        } else {
            out.append("null");
        }
    }

    /** Property order of a JavaScript object: array-index keys ascending, then the rest as inserted. */
    static List<String> jsKeyOrder(JsonNode object) {
        List<String> indexKeys = new ArrayList<>();
        List<String> otherKeys = new ArrayList<>();
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            (isArrayIndex(name) ? indexKeys : otherKeys).add(name);
        }
        if (indexKeys.isEmpty()) {
            return otherKeys;
        }
        indexKeys.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        indexKeys.addAll(otherKeys);
        return indexKeys;
    }

    static boolean isArrayIndex(String key) {
        int length = key.length();
        if (length == 0 || length > 10) {
            return false;
        }
        if (length > 1 && key.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(key) < 4294967295L;
    }

    private static void appendQuoted(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
                    if (c < 0x20 || loneSurrogate) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Upstream's {@code removeUndefined}, plus what JSON serialisation does to an array hole.
     * Always builds fresh containers so that callers may mutate the result without touching the
     * event or the compiled mapping.
     */
    static JsonNode stripUndefined(JsonNode value) {
        if (isUndefined(value)) {
            return UNDEFINED;
        }
        if (value.isArray()) {
            ArrayNode copy = NODES.arrayNode(value.size());
            for (JsonNode element : value) {
                copy.add(isUndefined(element) ? NODES.nullNode() : stripUndefined(element));
            }
            return copy;
        }
        if (value.isObject()) {
            ObjectNode copy = NODES.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!isUndefined(field.getValue())) {
                    copy.set(field.getKey(), stripUndefined(field.getValue()));
                }
            }
            return copy;
        }
        return value;
    }

    /** {@code Object.assign(target, source)} for one JSON source; sources that are not objects mostly add nothing. */
    static void assignInto(ObjectNode target, JsonNode source) {
        if (isNullish(source)) {
            return;
        }
        if (source.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = source.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                target.set(field.getKey(), field.getValue());
            }
        } else if (source.isArray()) {
            for (int i = 0; i < source.size(); i++) {
                target.set(Integer.toString(i), source.get(i));
            }
        } else if (source.isTextual()) {
            String text = source.textValue();
            for (int i = 0; i < text.length(); i++) {
                target.put(Integer.toString(i), String.valueOf(text.charAt(i)));
            }
        }
    }
}
