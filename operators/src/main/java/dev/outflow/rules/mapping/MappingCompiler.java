package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns mapping JSON into an {@link Expr} tree. Compilation never rejects anything: validation is
 * a separate pass, and wherever upstream would fail only when a spot is evaluated (shapes the
 * validator does not look into), the compiled tree fails there too, with upstream's message.
 */
final class MappingCompiler {
    static final String ROOT_DIRECTIVE_KEY = "__segment_internal_directive";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MappingCompiler() {}

    // ---- mapping-level helpers -------------------------------------------------------------

    /** JavaScript's {@code {...mapping}}: arrays and strings become index-keyed objects, other scalars {}. */
    static ObjectNode spread(JsonNode mapping) {
        ObjectNode spread = JsValues.NODES.objectNode();
        JsValues.assignInto(spread, mapping);
        return spread;
    }

    /**
     * With {@value #ROOT_DIRECTIVE_KEY}, the rest of the mapping becomes the {@code mapping} of the
     * single directive under that key. Returns the mapping to validate and run.
     */
    static JsonNode applyRootDirective(ObjectNode mapping) {
        JsonNode root = mapping.get(ROOT_DIRECTIVE_KEY);
        if (root == null) {
            return mapping;
        }
        if (!root.isObject() || root.size() > 1) {
            throw new IllegalArgumentException("The root mapping must only have a single directive object");
        }
        String directiveName = root.fieldNames().hasNext() ? root.fieldNames().next() : null;
        JsonNode directive = directiveName == null ? null : root.get(directiveName);
        if (directive == null || !(directive.isObject() || directive.isArray())) {
            throw new IllegalArgumentException("The root directive must be an object");
        }
        ObjectNode customerMappings = mapping.deepCopy();
        customerMappings.remove(ROOT_DIRECTIVE_KEY);
        ObjectNode processed = (ObjectNode) root.deepCopy();
        if (directive.isObject()) {
            ((ObjectNode) processed.get(directiveName)).set("mapping", customerMappings);
        }
        return processed;
    }

    // ---- compilation ------------------------------------------------------------------------

    static Expr compile(JsonNode mapping) {
        if (mapping == null || mapping.isMissingNode()) {
            return Undefined.INSTANCE;
        }
        if (!containsDirective(mapping)) {
            return new Constant(mapping);
        }
        if (mapping.isArray()) {
            List<Expr> elements = new ArrayList<>(mapping.size());
            for (JsonNode element : mapping) {
                elements.add(compile(element));
            }
            return new ArrayExpr(elements);
        }
        if (MappingValidator.isDirective(mapping)) {
            String name = firstDirectiveKey(mapping);
            return compileDirective(name, mapping.get(name));
        }
        Map<String, Expr> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            fields.put(field.getKey(), compile(field.getValue()));
        }
        return new ObjectExpr(fields);
    }

    private static boolean containsDirective(JsonNode mapping) {
        if (MappingValidator.isDirective(mapping)) {
            return true;
        }
        if (mapping.isContainerNode()) {
            for (JsonNode child : mapping) {
                if (containsDirective(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String firstDirectiveKey(JsonNode directive) {
        for (Iterator<String> names = directive.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("@")) {
                return name;
            }
        }
        throw new IllegalStateException("not a directive");
    }

    private static Expr compileDirective(String name, JsonNode options) {
        return switch (name) {
            case "@if" -> compileIf(options);
            case "@case" -> compileCase(options);
            case "@replace" -> compileReplace(options);
            case "@arrayPath" -> compileArrayPath(options);
            case "@path" -> compilePath(options);
            case "@template" -> compileTemplate(options);
            case "@literal" -> compile(options);
            case "@json" -> compileJson(options);
            case "@flatten" -> compileFlatten(options);
            case "@merge" -> compileMerge(options);
            case "@transform" -> compileTransform(options);
            case "@excludeWhenNull" -> new ExcludeWhenNull(compile(options));
            case "@liquid" -> options.isTextual()
                    ? new LiquidTemplate(options.textValue())
                    : new Failing("liquid template value must be a string");
            default -> new Failing(name + " is not a valid directive, got undefined");
        };
    }

    private static boolean truthy(JsonNode options, String field) {
        return JsValues.isTruthy(options.get(field));
    }

    private static Expr compileIf(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@if requires an object with an \"exists\" key");
        }
        if (!truthy(options, "exists") && !truthy(options, "blank")) {
            return new Failing("@if requires an \"exists\" key or a \"blank\" key");
        }
        boolean blankTest = !options.has("exists");
        Expr subject = compile(options.get(blankTest ? "blank" : "exists"));
        Expr then = options.has("then") ? compile(options.get("then")) : null;
        // upstream tests the raw else value for truthiness, so "else": 0 or null never applies
        Expr otherwise = truthy(options, "else") ? compile(options.get("else")) : null;
        return new IfExpr(subject, blankTest, then, otherwise);
    }

    private static Expr compileCase(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@case requires an object with a \"operator\" key");
        }
        if (!truthy(options, "operator")) {
            return new Failing("@case requires a \"operator\" key");
        }
        if (!truthy(options, "value")) {
            return Undefined.INSTANCE;
        }
        JsonNode operator = options.get("operator");
        String operatorName = operator.isTextual() ? operator.textValue() : "";
        return new CaseExpr(compile(options.get("value")), operatorName);
    }

    private static Expr compileReplace(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@replace requires an object with a \"pattern\" key");
        }
        if (!truthy(options, "pattern")) {
            return new Failing("@replace requires a \"pattern\" key");
        }
        if (!truthy(options, "value")) {
            return Undefined.INSTANCE;
        }
        JsonNode pattern = options.get("pattern");
        JsonNode replacement = orDefault(options.get("replacement"), JsValues.NODES.textNode(""));
        JsonNode ignoreCase = orDefault(options.get("ignorecase"), JsValues.NODES.booleanNode(false));
        JsonNode global = orDefault(options.get("global"), JsValues.NODES.booleanNode(true));
        Expr value = compile(options.get("value"));
        if (!(pattern.isTextual() && replacement.isTextual() && ignoreCase.isBoolean() && global.isBoolean())) {
            return new ReplaceExpr(value, null, null, null, null, false, false);
        }
        JsonNode pattern2 = options.get("pattern2");
        String secondPattern = null;
        String secondReplacement = null;
        if (JsValues.isTruthy(pattern2) && pattern2.isTextual()) {
            JsonNode replacement2 = orDefault(options.get("replacement2"), JsValues.NODES.textNode(""));
            if (replacement2.isTextual()) {
                secondPattern = pattern2.textValue();
                secondReplacement = replacement2.textValue();
            }
        }
        return new ReplaceExpr(value, pattern.textValue(), replacement.textValue(), secondPattern, secondReplacement,
                global.booleanValue(), ignoreCase.booleanValue());
    }

    private static JsonNode orDefault(JsonNode value, JsonNode fallback) {
        return JsValues.isNullish(value) ? fallback : value;
    }

    private static Expr compileArrayPath(JsonNode options) {
        if (!options.isArray()) {
            return new Failing("@arrayPath expected array, got " + JsValues.typeName(options));
        }
        JsonNode path = options.get(0);
        Expr root = path != null && path.isTextual() ? new PathExpr(JsPath.parseMappingPath(path.textValue())) : compile(path);
        JsonNode shape = options.get(1);
        Expr itemShape = shape != null && shape.isObject() && shape.size() > 0 ? compile(shape) : null;
        return new ArrayPathExpr(root, itemShape);
    }

    private static Expr compilePath(JsonNode options) {
        if (options.isTextual()) {
            return new PathExpr(JsPath.parseMappingPath(options.textValue()));
        }
        return new DynamicPathExpr(compile(options));
    }

    private static Expr compileTemplate(JsonNode options) {
        if (options.isTextual()) {
            String template = options.textValue();
            return PlaceholderTemplate.hasPlaceholders(template)
                    ? new TemplateExpr(PlaceholderTemplate.compile(template))
                    : new Constant(options);
        }
        return new DynamicTemplateExpr(compile(options));
    }

    private static Expr compileJson(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@json requires an object with a \"value\" key");
        }
        if (!truthy(options, "mode")) {
            return new Failing("@json requires a \"mode\" key");
        }
        if (!truthy(options, "value")) {
            return new Failing("@json requires a \"value\" key");
        }
        JsonNode mode = options.get("mode");
        String modeName = mode.isTextual() ? mode.textValue() : "";
        return new JsonExpr(compile(options.get("value")), modeName);
    }

    private static Expr compileFlatten(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@flatten requires an object with a \"separator\" key");
        }
        if (!truthy(options, "separator")) {
            return new Failing("@flatten requires a \"separator\" key");
        }
        return new FlattenExpr(compile(options.get("value")), compile(options.get("separator")), truthy(options, "omitArrays"));
    }

    private static Expr compileMerge(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@merge requires an object with an \"objects\" key and a \"direction\" key");
        }
        if (!truthy(options, "direction")) {
            return new Failing("@merge requires a \"direction\" key");
        }
        if (!truthy(options, "objects")) {
            return new Failing("@merge requires a \"objects\" key");
        }
        JsonNode objects = options.get("objects");
        if (!objects.isArray()) {
            String jsTypeof = objects.isTextual() ? "string" : objects.isNumber() ? "number" : objects.isBoolean() ? "boolean" : "object";
            return new Failing("@merge: expected opts.array, got " + jsTypeof);
        }
        List<Expr> sources = new ArrayList<>(objects.size());
        for (JsonNode source : objects) {
            sources.add(compile(source));
        }
        return new MergeExpr(compile(options.get("direction")), sources);
    }

    private static Expr compileTransform(JsonNode options) {
        if (!options.isObject()) {
            return new Failing("@transform requires an object with an \"apply\" key and a \"mapping\" key");
        }
        if (!truthy(options, "mapping")) {
            return new Failing("@transform requires a \"mapping\" key");
        }
        if (!truthy(options, "apply")) {
            return new Failing("@transform requires a \"apply\" key");
        }
        JsonNode apply = options.get("apply");
        if (!apply.isObject()) {
            return new Failing("@transform \"apply\" key should be an object");
        }
        JsonNode applyMapping;
        try {
            applyMapping = applyRootDirective((ObjectNode) apply);
        } catch (IllegalArgumentException e) {
            return new Failing(e.getMessage());
        }
        // upstream runs a full transform() on "apply", validation included, each time it is reached
        var problems = MappingValidator.problems(applyMapping);
        if (!problems.isEmpty()) {
            return new Failing(new MappingValidationException(problems).getMessage());
        }
        return new TransformExpr(compile(applyMapping), compile(options.get("mapping")));
    }

    // ---- compiled forms ---------------------------------------------------------------------

    enum Undefined implements Expr {
        INSTANCE;

        @Override
        public JsonNode evaluate(JsonNode payload) {
            return JsValues.UNDEFINED;
        }
    }

    record Constant(JsonNode value) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            return value;
        }
    }

    record Failing(String message) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            throw new MappingRuntimeException(message);
        }
    }

    record ArrayExpr(List<Expr> elements) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            ArrayNode out = JsValues.NODES.arrayNode(elements.size());
            for (Expr element : elements) {
                out.add(element.evaluate(payload));
            }
            return out;
        }
    }

    record ObjectExpr(Map<String, Expr> fields) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            ObjectNode out = JsValues.NODES.objectNode();
            fields.forEach((name, expr) -> out.set(name, expr.evaluate(payload)));
            return out;
        }
    }

    record PathExpr(JsPath path) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            return path.read(payload);
        }
    }

    record DynamicPathExpr(Expr path) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            return JsPath.parseMappingPath(requireString("@path", path.evaluate(payload))).read(payload);
        }
    }

    record TemplateExpr(PlaceholderTemplate template) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            return JsValues.NODES.textNode(template.render(payload));
        }
    }

    record DynamicTemplateExpr(Expr template) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            return JsValues.NODES.textNode(PlaceholderTemplate.render(requireString("@template", template.evaluate(payload)), payload));
        }
    }

    private static String requireString(String directive, JsonNode value) {
        if (value == null || !value.isTextual()) {
            throw new MappingRuntimeException(directive + ": expected string, got " + JsValues.typeName(value));
        }
        return value.textValue();
    }

    record IfExpr(Expr subject, boolean blankTest, Expr then, Expr otherwise) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode value = subject.evaluate(payload);
            boolean condition = !JsValues.isNullish(value) && !(blankTest && JsValues.looselyEqualsEmptyString(value));
            if (condition && then != null) {
                return then.evaluate(payload);
            }
            if (!condition && otherwise != null) {
                return otherwise.evaluate(payload);
            }
            return JsValues.UNDEFINED;
        }
    }

    record CaseExpr(Expr value, String operator) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolved = value.evaluate(payload);
            if (resolved == null || !resolved.isTextual()) {
                return resolved;
            }
            return switch (operator) {
                case "lower" -> JsValues.NODES.textNode(resolved.textValue().toLowerCase(java.util.Locale.ROOT));
                case "upper" -> JsValues.NODES.textNode(resolved.textValue().toUpperCase(java.util.Locale.ROOT));
                default -> throw new MappingRuntimeException("operator key should have a value of \"lower\" or \"upper\"");
            };
        }
    }

    /** A null {@code pattern} means the options had the wrong types, which upstream answers with "". */
    record ReplaceExpr(Expr value, String pattern, String replacement, String pattern2, String replacement2,
                       boolean global, boolean ignoreCase) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolved = value.evaluate(payload);
            if (resolved != null && (resolved.isBoolean() || resolved.isNumber())) {
                resolved = JsValues.NODES.textNode(JsValues.toJsString(resolved));
            }
            if (pattern == null || resolved == null || !resolved.isTextual()) {
                return JsValues.NODES.textNode("");
            }
            String result = replaceChecked(resolved.textValue(), pattern, replacement);
            if (pattern2 != null) {
                result = replaceChecked(result, pattern2, replacement2);
            }
            return JsValues.NODES.textNode(result);
        }

        private String replaceChecked(String text, String search, String with) {
            if (search.length() > MappingValidator.MAX_PATTERN_LENGTH) {
                throw new MappingRuntimeException("@replace requires a \"pattern\" less than " + MappingValidator.MAX_PATTERN_LENGTH + " characters");
            }
            if (with.length() > MappingValidator.MAX_REPLACEMENT_LENGTH) {
                throw new MappingRuntimeException("@replace requires a \"replacement\" less than " + MappingValidator.MAX_REPLACEMENT_LENGTH + " characters");
            }
            return TextReplacer.replace(text, search, with, global, ignoreCase);
        }
    }

    record ArrayPathExpr(Expr root, Expr itemShape) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolved = root.evaluate(payload);
            if (itemShape == null || resolved == null || !resolved.isContainerNode()) {
                return resolved;
            }
            if (resolved.isObject()) {
                return JsValues.NODES.arrayNode(1).add(itemShape.evaluate(resolved));
            }
            ArrayNode out = JsValues.NODES.arrayNode(resolved.size());
            for (JsonNode item : resolved) {
                out.add(itemShape.evaluate(item));
            }
            return out;
        }
    }

    record JsonExpr(Expr value, String mode) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolved = value.evaluate(payload);
            switch (mode) {
                case "encode" -> {
                    String encoded = JsValues.stringify(resolved);
                    return encoded == null ? JsValues.UNDEFINED : JsValues.NODES.textNode(encoded);
                }
                case "decode" -> {
                    if (resolved == null || !resolved.isTextual()) {
                        return resolved;
                    }
                    try {
                        JsonNode decoded = JSON.readTree(resolved.textValue());
                        return decoded.isMissingNode() ? resolved : decoded;
                    } catch (Exception notJson) {
                        // upstream hands back the original string when it is not JSON
                        return resolved;
                    }
                }
                default -> {
                    return JsValues.UNDEFINED;
                }
            }
        }
    }

    record FlattenExpr(Expr value, Expr separator, boolean omitArrays) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolvedSeparator = separator.evaluate(payload);
            if (resolvedSeparator == null || !resolvedSeparator.isTextual()) {
                throw new MappingRuntimeException("@flatten requires a string separator");
            }
            JsonNode resolved = value.evaluate(payload);
            if (JsValues.isNullish(resolved)) {
                throw new MappingRuntimeException("@flatten: cannot flatten " + JsValues.typeName(resolved));
            }
            ObjectNode out = JsValues.NODES.objectNode();
            flattenInto(out, resolved, "", resolvedSeparator.textValue());
            return out;
        }

        private void flattenInto(ObjectNode out, JsonNode value, String prefix, String separator) {
            if (value.isTextual()) {
                String text = value.textValue();
                for (int i = 0; i < text.length(); i++) {
                    out.put(prefix + i, String.valueOf(text.charAt(i)));
                }
                return;
            }
            if (value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    flattenEntry(out, prefix + i, value.get(i), separator);
                }
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                flattenEntry(out, prefix + field.getKey(), field.getValue(), separator);
            }
        }

        private void flattenEntry(ObjectNode out, String key, JsonNode value, String separator) {
            if (value.isObject() || (value.isArray() && !omitArrays)) {
                flattenInto(out, value, key + separator, separator);
            } else {
                out.set(key, value);
            }
        }
    }

    record MergeExpr(Expr direction, List<Expr> objects) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolvedDirection = direction.evaluate(payload);
            List<JsonNode> sources = new ArrayList<>(objects.size());
            for (Expr object : objects) {
                sources.add(object.evaluate(payload));
            }
            if (resolvedDirection != null && resolvedDirection.isTextual() && resolvedDirection.textValue().equals("left")) {
                java.util.Collections.reverse(sources);
            }
            ObjectNode merged = JsValues.NODES.objectNode();
            for (JsonNode source : sources) {
                JsValues.assignInto(merged, source);
            }
            return merged;
        }
    }

    record TransformExpr(Expr apply, Expr mapping) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            if (payload == null || !payload.isObject()) {
                throw new MappingRuntimeException("data must be an object, got " + JsValues.typeName(payload));
            }
            return mapping.evaluate(JsValues.stripUndefined(apply.evaluate(payload)));
        }
    }

    /** Drops a null result, and the null-valued keys of an object result at every object depth. */
    record ExcludeWhenNull(Expr value) implements Expr {
        @Override
        public JsonNode evaluate(JsonNode payload) {
            JsonNode resolved = value.evaluate(payload);
            if (resolved != null && resolved.isNull()) {
                return JsValues.UNDEFINED;
            }
            return resolved != null && resolved.isObject() ? withoutNullFields(resolved) : resolved;
        }

        private static JsonNode withoutNullFields(JsonNode object) {
            ObjectNode copy = JsValues.NODES.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode fieldValue = field.getValue();
                if (fieldValue.isNull()) {
                    continue;
                }
                copy.set(field.getKey(), fieldValue.isObject() ? withoutNullFields(fieldValue) : fieldValue);
            }
            return copy;
        }
    }
}
