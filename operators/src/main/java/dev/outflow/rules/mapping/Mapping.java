package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outflow.rules.mapping.MappingValidationException.Problem;
import java.io.Serializable;
import java.util.List;

/**
 * A Segment Actions field mapping (the "mapping-kit"), validated and compiled once, then applied
 * to any number of events. Instances are immutable, thread-safe and serializable, so one can be
 * built when configuration loads and shipped to every Flink subtask.
 *
 * <p>Supported directives: {@code @path @template @literal @if @case @replace @arrayPath @json
 * @flatten @merge @transform @excludeWhenNull @liquid}, plus the
 * {@code __segment_internal_directive} root key.
 *
 * <p>Results follow upstream: keys whose value is JavaScript {@code undefined} are dropped, and a
 * mapping that resolves to nothing at all yields {@link MissingNode} (as opposed to a JSON null).
 */
public final class Mapping implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Expr root;

    private Mapping(Expr root) {
        this.root = root;
    }

    /**
     * Validates and compiles a mapping. Like upstream's {@code transform}, a mapping that is not an
     * object is first spread into one ({@code ["a"]} becomes {@code {"0": "a"}}).
     *
     * @throws MappingValidationException listing every invalid directive with its path
     */
    public static Mapping compile(JsonNode mapping) {
        ObjectNode spread = MappingCompiler.spread(mapping);
        JsonNode toRun;
        try {
            toRun = MappingCompiler.applyRootDirective(spread);
        } catch (IllegalArgumentException e) {
            throw new MappingValidationException(List.of(new Problem("/" + MappingCompiler.ROOT_DIRECTIVE_KEY, e.getMessage())));
        }
        List<Problem> problems = MappingValidator.problems(toRun);
        if (!problems.isEmpty()) {
            throw new MappingValidationException(problems);
        }
        return new Mapping(MappingCompiler.compile(toRun));
    }

    /**
     * Applies the mapping to one event. The result is a fresh tree the caller may modify.
     *
     * @param input the event; must be a JSON object ({@code null} or missing count as {@code {}})
     * @return the mapped value, or {@link MissingNode} when it resolves to JavaScript {@code undefined}
     * @throws MappingInputException when {@code input} is not an object
     * @throws MappingRuntimeException when a directive fails for this event
     */
    public JsonNode transform(JsonNode input) {
        JsonNode payload = JsValues.isUndefined(input) ? JsValues.NODES.objectNode() : input;
        if (!payload.isObject()) {
            throw new MappingInputException("data must be an object, got " + JsValues.typeName(payload));
        }
        return JsValues.stripUndefined(root.evaluate(payload));
    }
}
