package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outflow.rules.mapping.MappingValidationException.Problem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Config-time checks with upstream's rules and wording. Like upstream, raw arrays and the raw
 * objects under {@code @literal}, {@code @if} branches and similar are not descended into; those
 * spots are checked when they are evaluated instead.
 */
final class MappingValidator {
    static final Set<String> DIRECTIVES = Set.of(
            "@if", "@case", "@replace", "@arrayPath", "@path", "@template", "@literal", "@json",
            "@flatten", "@merge", "@transform", "@excludeWhenNull", "@liquid");
    static final int MAX_PATTERN_LENGTH = 10;
    static final int MAX_REPLACEMENT_LENGTH = 10;

    /** Unwinds the validation of one spot; siblings keep being checked where upstream aggregates. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final List<Problem> problems;

        Rejected(List<Problem> problems) {
            super(null, null, false, false);
            this.problems = problems;
        }

        static Rejected at(List<String> stack, String message) {
            return new Rejected(List.of(new Problem(pointer(stack), message)));
        }
    }

    @FunctionalInterface
    private interface Check {
        void apply(JsonNode value, List<String> stack);
    }

    private record Field(Check check, boolean required) {}

    private MappingValidator() {}

    /** Returns every problem in a (normalised, object-shaped) mapping; empty when it is valid. */
    static List<Problem> problems(JsonNode mapping) {
        try {
            validate(mapping, List.of());
            return List.of();
        } catch (Rejected rejected) {
            return rejected.problems;
        }
    }

    static String pointer(List<String> stack) {
        return "/" + String.join("/", stack);
    }

    private static List<String> push(List<String> stack, String segment) {
        List<String> next = new ArrayList<>(stack.size() + 1);
        next.addAll(stack);
        next.add(segment);
        return next;
    }

    static boolean isDirective(JsonNode value) {
        if (value == null || !value.isObject()) {
            return false;
        }
        boolean hasDirectiveKey = false;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("@")) {
                hasDirectiveKey = true;
            } else if (!name.equals("_metadata")) {
                return false;
            }
        }
        return hasDirectiveKey;
    }

    private static String typeOrDirective(JsonNode value) {
        if (value != null && value.isObject()) {
            for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
                if (names.next().startsWith("@")) {
                    return "directive";
                }
            }
        }
        return JsValues.typeName(value);
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    private static String describe(String type) {
        return article(type) + " " + type;
    }

    private static void validate(JsonNode mapping, List<String> stack) {
        switch (typeOrDirective(mapping)) {
            case "directive" -> validateDirective(mapping, stack);
            case "object" -> validateObject(mapping, stack);
            default -> {
                // raw values and arrays are accepted as they are
            }
        }
    }

    private static void validateDirective(JsonNode value, List<String> stack) {
        if (value == null || !value.isObject()) {
            throw Rejected.at(stack, "should be a directive object but it is " + describe(JsValues.typeName(value)));
        }
        List<String> directiveKeys = new ArrayList<>();
        boolean hasOtherKeys = false;
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("@")) {
                directiveKeys.add(name);
            } else if (!name.equals("_metadata")) {
                hasOtherKeys = true;
            }
        }
        if (directiveKeys.size() > 1) {
            throw Rejected.at(stack, "should only have one @-prefixed key but it has " + directiveKeys.size() + " keys");
        }
        if (hasOtherKeys) {
            throw Rejected.at(stack, "should only have one @-prefixed key but it has " + value.size() + " keys");
        }
        String name = directiveKeys.get(0);
        if (!DIRECTIVES.contains(name)) {
            throw Rejected.at(stack, "has an invalid directive: " + name);
        }
        validateDirectiveOptions(name, value.get(name), push(stack, name));
    }

    private static void validateDirectiveOptions(String name, JsonNode options, List<String> stack) {
        switch (name) {
            case "@if" -> validateObjectWithFields(options, stack, fields(
                    "exists", optional(MappingValidator::validateDirectiveOrRaw),
                    "then", optional(MappingValidator::validateDirectiveOrRaw),
                    "else", optional(MappingValidator::validateDirectiveOrRaw)));
            case "@case" -> validateObjectWithFields(options, stack, fields(
                    "operator", optional(MappingValidator::validateString),
                    "value", optional(MappingValidator::validateDirectiveOrString)));
            case "@replace" -> validateObjectWithFields(options, stack, fields(
                    "pattern", required(allOf(MappingValidator::validateString, stringLength(1, MAX_PATTERN_LENGTH))),
                    "replacement", optional(allOf(MappingValidator::validateString, stringLength(0, MAX_REPLACEMENT_LENGTH))),
                    "value", required(MappingValidator::validateDirectiveOrString),
                    "ignorecase", optional(MappingValidator::validateBoolean),
                    "global", optional(MappingValidator::validateBoolean)));
            case "@arrayPath" -> {
                validateArray(options, stack);
                validateDirectiveOrString(options.get(0), stack);
                validate(options.get(1), stack);
            }
            case "@path", "@template" -> validateDirectiveOrString(options, stack);
            case "@literal", "@excludeWhenNull" -> validateDirectiveOrRaw(options, stack);
            case "@json" -> validateObjectWithFields(options, stack, fields(
                    "value", required(MappingValidator::validateDirectiveOrRaw),
                    "mode", required(oneOfStrings("encode", "decode"))));
            case "@flatten" -> validateObjectWithFields(options, stack, fields(
                    "value", optional(MappingValidator::validateDirectiveOrRaw),
                    "separator", optional(MappingValidator::validateDirectiveOrString)));
            case "@merge" -> validateObjectWithFields(options, stack, fields(
                    "objects", required(allOf(MappingValidator::validateArray, MappingValidator::validateEachDirectiveOrObject)),
                    "direction", required(oneOfStrings("left", "right"))));
            case "@transform" -> validateObjectWithFields(options, stack, fields(
                    "apply", required(MappingValidator::validateDirectiveOrObject),
                    "mapping", required(MappingValidator::validateDirectiveOrRaw)));
            case "@liquid" -> validateString(options, stack);
            default -> throw new IllegalStateException("no validator for " + name);
        }
    }

    private static void validateDirectiveOrRaw(JsonNode value, List<String> stack) {
        if ("directive".equals(typeOrDirective(value))) {
            validateDirective(value, stack);
        } else if (JsValues.isUndefined(value)) {
            throw Rejected.at(stack, "should be a mapping directive or a JSON value but it is an undefined");
        }
    }

    private static void validateDirectiveOrString(JsonNode value, List<String> stack) {
        String type = typeOrDirective(value);
        if (type.equals("directive")) {
            validateDirective(value, stack);
        } else if (!type.equals("string")) {
            throw Rejected.at(stack, "should be a string or a mapping directive but it is " + describe(type));
        }
    }

    private static void validateDirectiveOrObject(JsonNode value, List<String> stack) {
        String type = typeOrDirective(value);
        if (type.equals("directive")) {
            validateDirective(value, stack);
        } else if (type.equals("object")) {
            validateObject(value, stack);
        } else {
            throw Rejected.at(stack, "should be an object or a mapping directive but it is " + describe(type));
        }
    }

    private static void validateEachDirectiveOrObject(JsonNode array, List<String> stack) {
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                validateDirectiveOrObject(array.get(i), push(stack, Integer.toString(i)));
            } catch (Rejected rejected) {
                problems.addAll(rejected.problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new Rejected(problems);
        }
    }

    private static void validateString(JsonNode value, List<String> stack) {
        String type = typeOrDirective(value);
        if (!type.equals("string")) {
            throw Rejected.at(stack, "should be a string but it is " + describe(type));
        }
    }

    private static void validateBoolean(JsonNode value, List<String> stack) {
        String type = typeOrDirective(value);
        if (!type.equals("boolean")) {
            throw Rejected.at(stack, "should be a boolean but it is " + describe(type));
        }
    }

    private static void validateArray(JsonNode value, List<String> stack) {
        String type = JsValues.typeName(value);
        if (!type.equals("array")) {
            throw Rejected.at(stack, "should be an array but it is " + describe(type));
        }
    }

    private static Check stringLength(int min, int max) {
        return (value, stack) -> {
            if (value != null && value.isTextual()) {
                int length = value.textValue().length();
                if (length < min) {
                    throw Rejected.at(stack, "should be a string of length " + min + " or greater");
                }
                if (length > max) {
                    throw Rejected.at(stack, "should be a string of length " + max + " or less");
                }
            }
        };
    }

    private static Check oneOfStrings(String... allowed) {
        return (value, stack) -> {
            if (value != null && value.isTextual()) {
                for (String candidate : allowed) {
                    if (candidate.equals(value.textValue())) {
                        return;
                    }
                }
            }
            String shown = JsValues.isUndefined(value) ? "undefined" : JsValues.stringify(value);
            throw Rejected.at(stack, "should be one of " + String.join(", ", allowed) + " but it is " + shown);
        };
    }

    private static Check allOf(Check... checks) {
        return (value, stack) -> {
            for (Check check : checks) {
                check.apply(value, stack);
            }
        };
    }

    private static Field required(Check check) {
        return new Field(check, true);
    }

    private static Field optional(Check check) {
        return new Field(check, false);
    }

    private static Map<String, Field> fields(Object... nameThenField) {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (int i = 0; i < nameThenField.length; i += 2) {
            fields.put((String) nameThenField[i], (Field) nameThenField[i + 1]);
        }
        return fields;
    }

    private static void validateObject(JsonNode value, List<String> stack) {
        String type = typeOrDirective(value);
        if (!type.equals("object")) {
            throw Rejected.at(stack, "should be an object but it is " + describe(type));
        }
        List<Problem> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            try {
                validate(field.getValue(), push(stack, field.getKey()));
            } catch (Rejected rejected) {
                problems.addAll(rejected.problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new Rejected(problems);
        }
    }

    private static void validateObjectWithFields(JsonNode value, List<String> stack, Map<String, Field> fields) {
        validateObject(value, stack);
        List<Problem> problems = new ArrayList<>();
        fields.forEach((name, field) -> {
            JsonNode fieldValue = value.get(name);
            try {
                if (fieldValue == null) {
                    if (field.required()) {
                        throw Rejected.at(stack, "should have field \"" + name + "\" but it doesn't");
                    }
                } else {
                    field.check().apply(fieldValue, push(stack, name));
                }
            } catch (Rejected rejected) {
                problems.addAll(rejected.problems);
            }
        });
        if (!problems.isEmpty()) {
            throw new Rejected(problems);
        }
    }
}
