package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import liqp.Template;
import liqp.TemplateContext;
import liqp.TemplateParser;
import liqp.filters.Filter;
import liqp.nodes.LNode;
import liqp.tags.Tag;

/**
 * {@code @liquid}: a Liquid template rendered against the event, with the sandbox upstream puts
 * around liquidjs: six tags and twenty filters switched off and templates capped at 1000
 * characters. Upstream parses on every event, so a template that does not parse fails each event
 * rather than the mapping; we parse once at compile time and replay the failure per event.
 */
final class LiquidTemplate implements Expr {
    private static final long serialVersionUID = 1L;

    static final int MAX_TEMPLATE_LENGTH = 1000;
    static final List<String> DISABLED_TAGS = List.of("case", "for", "include", "layout", "render", "tablerow");
    static final List<String> DISABLED_FILTERS = List.of(
            "array_to_sentence_string", "concat", "find", "find_exp", "find_index", "find_index_exp",
            "group_by", "group_by_exp", "has", "has_exp", "map", "newline_to_br", "reject", "reject_exp",
            "reverse", "sort", "sort_natural", "uniq", "where_exp", "type");

    private static final TemplateParser PARSER = buildParser();

    private final String source;
    /** Why the template cannot be used, or null when it parsed. */
    private transient String parseFailure;
    // a liqp Template keeps render state between calls, so concurrent renders of one instance mix
    // up their variables; each thread renders its own parse of the same source
    private transient ThreadLocal<Template> templates;

    LiquidTemplate(String source) {
        this.source = source;
        prepare();
    }

    private void prepare() {
        templates = null;
        parseFailure = null;
        if (source.isEmpty() || source.length() > MAX_TEMPLATE_LENGTH) {
            return;
        }
        Template first;
        try {
            first = PARSER.parse(source);
        } catch (RuntimeException e) {
            parseFailure = "invalid liquid template: " + e.getMessage();
            return;
        }
        templates = ThreadLocal.withInitial(() -> PARSER.parse(source));
        templates.set(first);
    }

    private static TemplateParser buildParser() {
        TemplateParser.Builder builder = new TemplateParser.Builder();
        for (String name : DISABLED_TAGS) {
            // liqp's grammar still recognises the built-in block syntax; overriding the insertion
            // makes any well-formed use fail when rendered, and malformed ones already fail to parse
            builder.withTag(new Tag(name) {
                @Override
                public Object render(TemplateContext context, LNode... nodes) {
                    throw new MappingRuntimeException("tag \"" + name + "\" is disabled");
                }
            });
        }
        for (String name : DISABLED_FILTERS) {
            builder.withFilter(new Filter(name) {
                @Override
                public Object apply(Object value, TemplateContext context, Object... params) {
                    throw new MappingRuntimeException("filter \"" + name + "\" is disabled");
                }
            });
        }
        return builder.build();
    }

    @Override
    public JsonNode evaluate(JsonNode payload) {
        if (source.isEmpty()) {
            return JsValues.NODES.textNode("");
        }
        if (source.length() > MAX_TEMPLATE_LENGTH) {
            throw new MappingRuntimeException("liquid template values are limited to " + MAX_TEMPLATE_LENGTH + " characters");
        }
        if (parseFailure != null) {
            throw new MappingRuntimeException(parseFailure);
        }
        Object data = toLiquidValue(payload);
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = data instanceof Map ? (Map<String, Object>) data : Map.of();
        try {
            return JsValues.NODES.textNode(templates.get().render(variables));
        } catch (MappingRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            MappingRuntimeException disabled = findDisabledUse(e);
            throw disabled != null ? disabled : new MappingRuntimeException("liquid template failed: " + e.getMessage(), e);
        }
    }

    private static MappingRuntimeException findDisabledUse(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MappingRuntimeException mapping) {
                return new MappingRuntimeException(mapping.getMessage(), failure);
            }
        }
        return null;
    }

    /** Plain Java values for liqp; whole doubles become longs because JavaScript prints 42.0 as "42". */
    private static Object toLiquidValue(JsonNode node) {
        if (JsValues.isNullish(node)) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node.longValue();
            }
            double d = node.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                return (long) d;
            }
            return d;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(toLiquidValue(element));
            }
            return list;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                map.put(field.getKey(), toLiquidValue(field.getValue()));
            }
            return map;
        }
        return null;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        prepare();
    }
}
