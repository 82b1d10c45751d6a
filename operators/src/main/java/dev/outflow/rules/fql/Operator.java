package dev.outflow.rules.fql;

/**
 * Condition operators, with Segment's AST names. {@link #UNRECOGNIZED} stands for whatever other token upstream
 * accepted in operator position (for example {@code type "track"}); such a condition never matches.
 */
public enum Operator {
    EQUALS("="),
    NOT_EQUALS("!="),
    LESS_THAN("<"),
    LESS_THAN_OR_EQUAL("<="),
    GREATER_THAN(">"),
    GREATER_THAN_OR_EQUAL(">="),
    NUMBER_EQUALS("number_equals"),
    NUMBER_NOT_EQUALS("number_not_equals"),
    CONTAINS("contains"),
    NOT_CONTAINS("not_contains"),
    STARTS_WITH("starts_with"),
    NOT_STARTS_WITH("not_starts_with"),
    ENDS_WITH("ends_with"),
    NOT_ENDS_WITH("not_ends_with"),
    EXISTS("exists"),
    NOT_EXISTS("not_exists"),
    IS_TRUE("is_true"),
    IS_FALSE("is_false"),
    UNRECOGNIZED(null);

    private final String astName;

    Operator(String astName) {
        this.astName = astName;
    }

    /** The operator's name in Segment's AST; null for {@link #UNRECOGNIZED}. */
    public String astName() {
        return astName;
    }

    /**
     * Upstream casts the operator token's text to an operator without checking it, and its evaluator switches on
     * every operator name, so {@code properties.a contains "x"} really is a contains condition.
     */
    static Operator fromAstName(String name) {
        for (Operator operator : values()) {
            if (operator != UNRECOGNIZED && operator.astName.equals(name)) {
                return operator;
            }
        }
        return UNRECOGNIZED;
    }
}
