package dev.outflow.rules.fql;

/** What a condition looks at, with Segment's AST names. */
public enum ConditionType {
    EVENT_TYPE("event-type", "type", false),
    EVENT("event", "event", false),
    NAME("name", "name", false),
    USER_ID("userId", "userId", false),
    EVENT_PROPERTY("event-property", "properties", true),
    EVENT_TRAIT("event-trait", "traits", true),
    EVENT_CONTEXT("event-context", "context", true);

    private final String astName;
    private final String fqlField;
    private final boolean hasPath;

    ConditionType(String astName, String fqlField, boolean hasPath) {
        this.astName = astName;
        this.fqlField = fqlField;
        this.hasPath = hasPath;
    }

    /** The {@code type} of the condition node in Segment's AST. */
    public String astName() {
        return astName;
    }

    /** The field the FQL string names: {@code type}, {@code properties}, ... */
    public String fqlField() {
        return fqlField;
    }

    /** Whether conditions of this type carry a dotted {@code name} below the field. */
    public boolean hasPath() {
        return hasPath;
    }

    static ConditionType fromFqlField(String field) {
        for (ConditionType type : values()) {
            if (type.fqlField.equals(field)) {
                return type;
            }
        }
        return null;
    }

    static ConditionType fromAstName(String name) {
        for (ConditionType type : values()) {
            if (type.astName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown condition type: " + name);
    }
}
