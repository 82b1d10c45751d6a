package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the value a condition tests, as upstream reads it from the JS event object. Java null stands for JS
 * {@code undefined}; {@link com.fasterxml.jackson.databind.node.NullNode} for JSON null.
 *
 * <p>Upstream resolves paths with {@code path.reduce((o, key) => o && o[key], root)}, which has consequences kept
 * here: the walk stops at the first falsy value and returns it ({@code a.b} on {@code {"a": 0}} is {@code 0}, so
 * it "exists"), arrays and strings have a {@code length}, and names inherited from JS prototypes
 * ({@code constructor}, {@code toString}, ...) resolve to functions, which exist but equal nothing.
 */
abstract sealed class FieldReader implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Stands for a JS function or other inherited member: exists, is truthy, and is no string, number or boolean. */
    static final JsonNode INHERITED_MEMBER = new POJONode("inherited JS member");

    abstract JsonNode read(JsonNode event);

    static FieldReader forCondition(FqlCondition condition) {
        return switch (condition.type()) {
            case EVENT_TYPE -> new TopLevel("type");
            case EVENT -> new TopLevel("event");
            case NAME -> new TopLevel("name");
            case USER_ID -> new TopLevel("userId");
            // Upstream reads identify and group calls' traits for both properties.* and traits.*.
            case EVENT_PROPERTY, EVENT_TRAIT -> new Nested(null, Segment.parse(condition.name()));
            case EVENT_CONTEXT -> new Nested("context", Segment.parse(condition.name()));
        };
    }

    private static final class TopLevel extends FieldReader {
        private static final long serialVersionUID = 1L;
        private final String key;

        TopLevel(String key) {
            this.key = key;
        }

        @Override
        JsonNode read(JsonNode event) {
            return event.isObject() ? event.get(key) : null;
        }
    }

    private static final class Nested extends FieldReader {
        private static final long serialVersionUID = 1L;
        /** null: properties, or traits for identify and group calls. */
        private final String rootKey;
        private final Segment[] segments;

        Nested(String rootKey, Segment[] segments) {
            this.rootKey = rootKey;
            this.segments = segments;
        }

        @Override
        JsonNode read(JsonNode event) {
            if (!event.isObject() || segments.length == 0) {
                return null;
            }
            JsonNode current = event.get(rootKey != null ? rootKey : propertiesKey(event));
            for (Segment segment : segments) {
                if (current == null || isFalsy(current)) {
                    return current;
                }
                current = segment.member(current);
            }
            return current;
        }

        private static String propertiesKey(JsonNode event) {
            JsonNode type = event.get("type");
            if (type != null && type.isTextual()) {
                String text = type.textValue();
                if (text.equals("identify") || text.equals("group")) {
                    return "traits";
                }
            }
            return "properties";
        }
    }

    static boolean isFalsy(JsonNode value) {
        if (value.isNull()) {
            return true;
        }
        if (value.isBoolean()) {
            return !value.booleanValue();
        }
        if (value.isNumber()) {
            double number = value.doubleValue();
            return number == 0 || Double.isNaN(number);
        }
        return value.isTextual() && value.textValue().isEmpty();
    }

    /** One key of a dotted path, with what it means on each kind of JS value worked out in advance. */
    private record Segment(
            String key,
            int index,
            boolean objectInherited,
            boolean arrayInherited,
            boolean stringInherited,
            boolean numberInherited,
            boolean booleanInherited)
            implements Serializable {

        private static final Set<String> OBJECT_MEMBERS = Set.of(
                "constructor", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
                "__lookupSetter__", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toString",
                "toLocaleString", "valueOf");
        private static final Set<String> ARRAY_MEMBERS = Set.of(
                "at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "findLast",
                "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys", "lastIndexOf",
                "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice",
                "toReversed", "toSorted", "toSpliced", "unshift", "values", "with");
        private static final Set<String> STRING_MEMBERS = Set.of(
                "at", "charAt", "charCodeAt", "codePointAt", "concat", "endsWith", "includes", "indexOf",
                "lastIndexOf", "localeCompare", "match", "matchAll", "normalize", "padEnd", "padStart", "repeat",
                "replace", "replaceAll", "search", "slice", "split", "startsWith", "substring", "substr",
                "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toUpperCase", "trim", "trimStart",
                "trimEnd", "trimLeft", "trimRight", "anchor", "big", "blink", "bold", "fixed", "fontcolor",
                "fontsize", "italics", "link", "small", "strike", "sub", "sup", "isWellFormed", "toWellFormed");
        private static final Set<String> NUMBER_MEMBERS =
                Set.of("toExponential", "toFixed", "toPrecision");

        /** Splits like upstream's {@code path.match(/([^[.\]])+/g)}: on dots and square brackets. */
        static Segment[] parse(String path) {
            List<Segment> segments = new ArrayList<>();
            if (path == null) {
                return new Segment[0];
            }
            int start = -1;
            for (int i = 0; i <= path.length(); i++) {
                boolean delimiter = i == path.length() || "[.]".indexOf(path.charAt(i)) >= 0;
                if (delimiter && start >= 0) {
                    segments.add(of(path.substring(start, i)));
                    start = -1;
                } else if (!delimiter && start < 0) {
                    start = i;
                }
            }
            return segments.toArray(new Segment[0]);
        }

        private static Segment of(String key) {
            boolean objectInherited = OBJECT_MEMBERS.contains(key);
            return new Segment(
                    key,
                    arrayIndex(key),
                    objectInherited,
                    objectInherited || ARRAY_MEMBERS.contains(key),
                    objectInherited || STRING_MEMBERS.contains(key),
                    objectInherited || NUMBER_MEMBERS.contains(key),
                    objectInherited);
        }

        /** JS only treats canonical non-negative integers as indexes: "01" is an ordinary key. */
        private static int arrayIndex(String key) {
            if (key.isEmpty() || key.length() > 9 || (key.length() > 1 && key.charAt(0) == '0')) {
                return -1;
            }
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) < '0' || key.charAt(i) > '9') {
                    return -1;
                }
            }
            return Integer.parseInt(key);
        }

        /** {@code value[key]} for a truthy value. */
        JsonNode member(JsonNode value) {
            if (value.isObject()) {
                JsonNode own = value.get(key);
                return own != null || !objectInherited ? own : INHERITED_MEMBER;
            }
            if (value.isArray()) {
                if (index >= 0) {
                    return value.get(index);
                }
                if (key.equals("length")) {
                    return IntNode.valueOf(value.size());
                }
                return arrayInherited ? INHERITED_MEMBER : null;
            }
            if (value.isTextual()) {
                String text = value.textValue();
                if (index >= 0) {
                    return index < text.length() ? TextNode.valueOf(String.valueOf(text.charAt(index))) : null;
                }
                if (key.equals("length")) {
                    return IntNode.valueOf(text.length());
                }
                return stringInherited ? INHERITED_MEMBER : null;
            }
            if (value.isNumber()) {
                return numberInherited ? INHERITED_MEMBER : null;
            }
            if (value.isBoolean()) {
                return booleanInherited ? INHERITED_MEMBER : null;
            }
            // Members of functions are not modelled.
            return null;
        }
    }
}
