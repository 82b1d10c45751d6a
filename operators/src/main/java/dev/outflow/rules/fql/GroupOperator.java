package dev.outflow.rules.fql;

/** How a group combines its children. */
public enum GroupOperator {
    AND("and"),
    OR("or");

    private final String keyword;

    GroupOperator(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }

    static GroupOperator fromKeyword(String keyword) {
        for (GroupOperator operator : values()) {
            if (operator.keyword.equals(keyword)) {
                return operator;
            }
        }
        throw new IllegalArgumentException("Unknown group operator: " + keyword);
    }
}
