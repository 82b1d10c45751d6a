package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the AST into predicates that evaluate with upstream's {@code validate} semantics and do all conversions
 * of the expected value once, up front.
 */
final class SubscriptionCompiler {

    private SubscriptionCompiler() {}

    static EventPredicate compile(FqlNode node) {
        if (node instanceof FqlCondition condition) {
            return new ConditionPredicate(condition);
        }
        FqlGroup group = (FqlGroup) node;
        EventPredicate[] children = group.children().stream()
                .map(SubscriptionCompiler::compile)
                .toArray(EventPredicate[]::new);
        if (children.length == 1) {
            return children[0];
        }
        return group.operator() == GroupOperator.AND ? new AllOf(children) : new AnyOf(children);
    }

    private static final class AllOf implements EventPredicate {
        private static final long serialVersionUID = 1L;
        private final EventPredicate[] children;

        AllOf(EventPredicate[] children) {
            this.children = children;
        }

        @Override
        public boolean test(JsonNode event) {
            for (EventPredicate child : children) {
                if (!child.test(event)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class AnyOf implements EventPredicate {
        private static final long serialVersionUID = 1L;
        private final EventPredicate[] children;

        AnyOf(EventPredicate[] children) {
            this.children = children;
        }

        @Override
        public boolean test(JsonNode event) {
            for (EventPredicate child : children) {
                if (child.test(event)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Upstream's comparisons are JS strict ones: {@code "123"} does not equal {@code 123}, ordering and
     * {@code number_*} need a JSON number, the string operators need a JSON string.
     */
    private static final class ConditionPredicate implements EventPredicate {
        private static final long serialVersionUID = 1L;

        private final FieldReader reader;
        private final Operator operator;
        /** The value as JS {@code String(value)}: the operand of the string operators. */
        private final String expectedText;
        /** The value as JS {@code Number(value)}: the operand of the numeric operators. */
        private final double expectedNumber;
        /** The value itself, for strict equality. */
        private final Object expected;

        ConditionPredicate(FqlCondition condition) {
            this.reader = FieldReader.forCondition(condition);
            this.operator = condition.operator();
            this.expected = condition.value();
            this.expectedText = JsValues.toJsString(condition.value());
            this.expectedNumber = JsValues.toNumber(condition.value());
        }

        @Override
        public boolean test(JsonNode event) {
            JsonNode actual = reader.read(event);
            return switch (operator) {
                case EQUALS -> strictlyEqual(actual);
                case NOT_EQUALS -> !strictlyEqual(actual);
                case LESS_THAN -> isNumber(actual) && actual.doubleValue() < expectedNumber;
                case LESS_THAN_OR_EQUAL -> isNumber(actual) && actual.doubleValue() <= expectedNumber;
                case GREATER_THAN -> isNumber(actual) && actual.doubleValue() > expectedNumber;
                case GREATER_THAN_OR_EQUAL -> isNumber(actual) && actual.doubleValue() >= expectedNumber;
                case NUMBER_EQUALS -> isNumber(actual) && actual.doubleValue() == expectedNumber;
                case NUMBER_NOT_EQUALS -> isNumber(actual) && actual.doubleValue() != expectedNumber;
                case CONTAINS -> isText(actual) && actual.textValue().contains(expectedText);
                case NOT_CONTAINS -> isText(actual) && !actual.textValue().contains(expectedText);
                case STARTS_WITH -> isText(actual) && actual.textValue().startsWith(expectedText);
                case NOT_STARTS_WITH -> isText(actual) && !actual.textValue().startsWith(expectedText);
                case ENDS_WITH -> isText(actual) && actual.textValue().endsWith(expectedText);
                case NOT_ENDS_WITH -> isText(actual) && !actual.textValue().endsWith(expectedText);
                case EXISTS -> exists(actual);
                case NOT_EXISTS -> !exists(actual);
                case IS_TRUE -> actual != null && actual.isBoolean() && actual.booleanValue();
                case IS_FALSE -> actual != null && actual.isBoolean() && !actual.booleanValue();
                case UNRECOGNIZED -> false;
            };
        }

        private boolean strictlyEqual(JsonNode actual) {
            if (expected == null || actual == null || actual.isMissingNode()) {
                return expected == null && (actual == null || actual.isMissingNode());
            }
            if (expected instanceof String) {
                return actual.isTextual() && actual.textValue().equals(expectedText);
            }
            if (expected instanceof Double) {
                return actual.isNumber() && actual.doubleValue() == expectedNumber;
            }
            return actual.isBoolean() && actual.booleanValue() == (Boolean) expected;
        }

        private static boolean exists(JsonNode actual) {
            return actual != null && !actual.isNull() && !actual.isMissingNode();
        }

        private static boolean isNumber(JsonNode actual) {
            return actual != null && actual.isNumber();
        }

        private static boolean isText(JsonNode actual) {
            return actual != null && actual.isTextual();
        }
    }
}
