package dev.outflow.rules.fql;

/** Turns an AST back into an FQL string the way upstream's {@code generateFql} does. */
final class FqlGenerator {

    private FqlGenerator() {}

    static String generate(FqlGroup root) {
        String fql = group(root);
        // Upstream drops one pair of parentheses around the whole string when they are the only ones.
        if (fql.startsWith("(") && fql.endsWith(")") && countParentheses(fql) == 2) {
            return fql.substring(1, fql.length() - 1);
        }
        return fql;
    }

    private static String group(FqlGroup group) {
        StringBuilder fql = new StringBuilder();
        String separator = " " + group.operator().keyword() + " ";
        for (FqlNode child : group.children()) {
            if (!fql.isEmpty()) {
                fql.append(separator);
            }
            if (child instanceof FqlGroup nested) {
                fql.append('(').append(group(nested)).append(')');
            } else {
                fql.append(condition((FqlCondition) child));
            }
        }
        return fql.toString();
    }

    private static String condition(FqlCondition condition) {
        String field = condition.type().hasPath()
                ? condition.type().fqlField() + "." + escapeFieldPath(condition.name())
                : condition.type().fqlField();
        Object value = condition.value();
        return switch (condition.operator()) {
            case CONTAINS -> "contains(" + field + ", " + literal(value) + ")";
            case NOT_CONTAINS -> "!contains(" + field + ", " + literal(value) + ")";
            case EXISTS -> field + " != null";
            case NOT_EXISTS -> field + " = null";
            case IS_TRUE -> field + " = true";
            case IS_FALSE -> field + " = false";
            case STARTS_WITH -> "match(" + field + ", \"" + JsValues.toJsString(value) + "*\")";
            case NOT_STARTS_WITH -> "!match(" + field + ", \"" + JsValues.toJsString(value) + "*\")";
            case ENDS_WITH -> "match(" + field + ", \"*" + JsValues.toJsString(value) + "\")";
            case NOT_ENDS_WITH -> "!match(" + field + ", \"*" + JsValues.toJsString(value) + "\")";
            case LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL ->
                    field + " " + condition.operatorName() + " " + number(value);
            case NUMBER_EQUALS -> field + " = " + number(value);
            case NUMBER_NOT_EQUALS -> field + " != " + number(value);
            default -> field + " " + condition.operatorName() + " " + literal(value);
        };
    }

    private static String number(Object value) {
        return JsValues.numberToString(JsValues.toNumber(value));
    }

    private static String literal(Object value) {
        if (value instanceof Double || value instanceof Boolean) {
            return JsValues.toJsString(value);
        }
        return "\"" + JsValues.toJsString(value) + "\"";
    }

    /** Backslash before anything but letters, digits, {@code .}, {@code _} and {@code -}; the lexer undoes it. */
    private static String escapeFieldPath(String name) {
        if (name == null) {
            return "undefined";
        }
        StringBuilder escaped = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!plain) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static int countParentheses(String fql) {
        int count = 0;
        for (int i = 0; i < fql.length(); i++) {
            char c = fql.charAt(i);
            if (c == '(' || c == ')') {
                count++;
            }
        }
        return count;
    }
}
