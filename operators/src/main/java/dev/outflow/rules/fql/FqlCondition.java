package dev.outflow.rules.fql;

import java.util.Objects;

/**
 * One test on one field of the event.
 *
 * @param type which field
 * @param name dotted path below {@code properties}, {@code traits} or {@code context}; null for the other types
 * @param operator the test
 * @param unrecognizedOperator the token text upstream kept as operator when {@code operator} is
 *     {@link Operator#UNRECOGNIZED}, null otherwise
 * @param value a {@link String}, {@link Double} or {@link Boolean}, or null when the operator takes no value
 *     (exists, is_true, ...)
 */
public record FqlCondition(
        ConditionType type, String name, Operator operator, String unrecognizedOperator, Object value)
        implements FqlNode {

    private static final long serialVersionUID = 1L;

    public FqlCondition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(operator, "operator");
        if (value != null && !(value instanceof String || value instanceof Double || value instanceof Boolean)) {
            throw new IllegalArgumentException("Condition value must be a String, Double or Boolean: " + value);
        }
    }

    public static FqlCondition of(ConditionType type, String name, Operator operator, Object value) {
        return new FqlCondition(type, name, operator, null, value);
    }

    /** The operator as upstream spells it in the AST. */
    public String operatorName() {
        return operator == Operator.UNRECOGNIZED ? unrecognizedOperator : operator.astName();
    }
}
