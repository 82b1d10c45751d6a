package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;

/**
 * One compiled piece of a mapping. Evaluation returns {@link JsValues#UNDEFINED} for JavaScript
 * {@code undefined}, never a Java null, and never mutates its payload or any node it returns.
 */
@FunctionalInterface
interface Expr extends Serializable {
    JsonNode evaluate(JsonNode payload);
}
