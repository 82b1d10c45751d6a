package dev.outflow.rules.fql;

import dev.outflow.rules.fql.FqlToken.Type;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Builds the AST the way upstream's {@code parseFql} does. Upstream is not a grammar-driven parser but a token
 * scanner, and what it accepts follows from that:
 *
 * <ul>
 *   <li>Tokens that start nothing (stray strings, numbers, commas, unknown identifiers, {@code AND} in capitals)
 *       are skipped.
 *   <li>A group takes the last {@code and}/{@code or} seen in it for all its children: there is no precedence.
 *   <li>A parenthesis runs to the first {@code )}, so parentheses cannot nest.
 *   <li>After a field, the next two tokens are taken as operator and value whatever they are.
 *   <li>{@code properties.x = 5} becomes {@code number_equals}, {@code = true} becomes {@code is_true},
 *       {@code = null} becomes {@code not_exists}, and their negations likewise; {@code userId} and {@code name}
 *       know the null and boolean forms but compare as strings, {@code type} and {@code event} always compare as
 *       strings ({@code event = null} means the text "null").
 * </ul>
 */
final class FqlParser {

    private static final Set<String> FUNCTIONS = Set.of("contains", "match");
    private static final Set<String> PLAIN_FUNCTION_TARGETS = Set.of("event", "name", "userId");
    // Upstream looks field names up in a plain JS object, so these inherited keys count as "some field".
    private static final Set<String> OBJECT_PROTOTYPE_KEYS = Set.of(
            "constructor", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
            "__lookupSetter__", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toString",
            "toLocaleString", "valueOf");

    private final String source;

    private FqlParser(String source) {
        this.source = source;
    }

    static FqlGroup parse(String source) {
        return new FqlParser(source).parseRoot();
    }

    private FqlGroup parseRoot() {
        List<FqlToken> tokens = normalize(FqlLexer.tokenize(source));
        FqlNode root = parseSequence(new ArrayDeque<>(tokens));
        if (root == null) {
            throw new FqlParseException(
                    "expected a condition such as type = \"track\", found none", source, 0);
        }
        return root instanceof FqlGroup group ? group : new FqlGroup(GroupOperator.AND, List.of(root));
    }

    /** Joins {@code a . b . c} into one identifier {@code a.b.c}. */
    private static List<FqlToken> normalize(List<FqlToken> tokens) {
        List<FqlToken> joined = new ArrayList<>(tokens.size());
        int index = 0;
        while (index < tokens.size()) {
            FqlToken current = tokens.get(index);
            FqlToken last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
            FqlToken next = index + 1 < tokens.size() ? tokens.get(index + 1) : null;
            if (last != null && last.is(Type.IDENT) && current.is(Type.DOT) && next != null && next.is(Type.IDENT)) {
                joined.set(joined.size() - 1,
                        new FqlToken(Type.IDENT, last.text() + "." + next.text(), last.position()));
                index += 2;
            } else {
                joined.add(current);
                index++;
            }
        }
        return joined;
    }

    /** Null when the tokens hold no condition. */
    private FqlNode parseSequence(Deque<FqlToken> tokens) {
        List<FqlNode> nodes = new ArrayList<>();
        GroupOperator operator = GroupOperator.AND;
        FqlToken token = tokens.poll();
        while (token != null && !token.is(Type.EOS)) {
            switch (token.type()) {
                case IDENT -> {
                    if (FUNCTIONS.contains(token.text())) {
                        parseFunction(token, tokens, nodes, false);
                    } else {
                        parseComparison(token, tokens, nodes);
                    }
                }
                case OPERATOR -> {
                    if (token.text().equals("!")) {
                        FqlToken function = tokens.peek();
                        if (function == null) {
                            throw error("expected a function after '!'", token);
                        }
                        if (function.is(Type.IDENT) && FUNCTIONS.contains(function.text())) {
                            tokens.poll();
                            parseFunction(function, tokens, nodes, true);
                        }
                    }
                }
                case PAREN_LEFT -> nodes.add(parseParenthesized(token, tokens));
                case CONDITIONAL -> operator = GroupOperator.fromKeyword(token.text());
                default -> {
                    // upstream skips any other token
                }
            }
            token = tokens.poll();
        }
        if (nodes.size() > 1) {
            return new FqlGroup(operator, nodes);
        }
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    private FqlNode parseParenthesized(FqlToken open, Deque<FqlToken> tokens) {
        List<FqlToken> inner = new ArrayList<>();
        FqlToken token = tokens.poll();
        while (token == null || !token.is(Type.PAREN_RIGHT)) {
            if (token == null) {
                throw error("expected ')' to close '(', found end of input (parentheses cannot nest)", open);
            }
            inner.add(token);
            token = tokens.poll();
        }
        inner.add(FqlToken.endOfStream(token.position()));
        FqlNode node = parseSequence(new ArrayDeque<>(inner));
        if (node == null) {
            // Upstream accepts this and then fails on every event that reaches it; reject it as the config error it is.
            throw error("expected a condition inside parentheses", open);
        }
        return node;
    }

    private void parseComparison(FqlToken field, Deque<FqlToken> tokens, List<FqlNode> nodes) {
        String text = field.text();
        int dot = text.indexOf('.');
        String head = dot < 0 ? text : text.substring(0, dot);
        ConditionType type = ConditionType.fromFqlField(head);
        if (type == null && !OBJECT_PROTOTYPE_KEYS.contains(head)) {
            return;
        }
        FqlToken operatorToken = tokens.poll();
        if (operatorToken == null) {
            throw error("expected an operator after '" + text + "'", field);
        }
        FqlToken valueToken = tokens.poll();
        if (valueToken == null) {
            throw error("expected a value after '" + text + " " + operatorToken.text() + "'", operatorToken);
        }
        if (type == null) {
            return;
        }
        String operatorText = operatorToken.text();
        String valueText = valueToken.text();
        boolean equalsOperator = operatorText.equals("=");
        boolean notEqualsOperator = operatorText.equals("!=");
        Operator special = null;
        if (notEqualsOperator && valueText.equals("null")) {
            special = Operator.EXISTS;
        } else if (equalsOperator && valueText.equals("null")) {
            special = Operator.NOT_EXISTS;
        } else if (equalsOperator && valueText.equals("true")) {
            special = Operator.IS_TRUE;
        } else if (equalsOperator && valueText.equals("false")) {
            special = Operator.IS_FALSE;
        }
        Operator operator = Operator.fromAstName(operatorText);
        String unrecognized = operator == Operator.UNRECOGNIZED ? operatorText : null;
        switch (type) {
            case EVENT, EVENT_TYPE -> nodes.add(new FqlCondition(
                    type, null, operator, unrecognized, JsValues.toJsString(tokenValue(valueToken))));
            case USER_ID, NAME -> nodes.add(special != null
                    ? FqlCondition.of(type, null, special, null)
                    : new FqlCondition(type, null, operator, unrecognized,
                            JsValues.toJsString(tokenValue(valueToken))));
            case EVENT_PROPERTY, EVENT_TRAIT, EVENT_CONTEXT -> {
                String name = stripFieldPrefix(text, type);
                if (special != null) {
                    nodes.add(FqlCondition.of(type, name, special, null));
                } else if (valueToken.is(Type.NUMBER) && (equalsOperator || notEqualsOperator)) {
                    Operator numeric = equalsOperator ? Operator.NUMBER_EQUALS : Operator.NUMBER_NOT_EQUALS;
                    nodes.add(FqlCondition.of(type, name, numeric, tokenValue(valueToken)));
                } else {
                    nodes.add(new FqlCondition(type, name, operator, unrecognized, tokenValue(valueToken)));
                }
            }
        }
    }

    /** {@code contains(field, "x")} and {@code match(field, "x*")}, optionally negated with {@code !}. */
    private void parseFunction(FqlToken function, Deque<FqlToken> tokens, List<FqlNode> nodes, boolean negate) {
        String name = function.text();
        tokens.poll(); // "(", unchecked as upstream
        FqlToken target = tokens.poll();
        if (target == null) {
            throw error(name + "() is missing a 1st argument", function);
        }
        tokens.poll(); // ","
        FqlToken valueToken = tokens.poll();
        if (valueToken == null) {
            throw error(name + "() is missing a 2nd argument", function);
        }
        tokens.poll(); // ")"

        Operator operator;
        String value = JsValues.toJsString(tokenValue(valueToken));
        if (name.equals("contains")) {
            operator = negate ? Operator.NOT_CONTAINS : Operator.CONTAINS;
        } else if (valueToken.text().endsWith("*\"")) {
            operator = negate ? Operator.NOT_STARTS_WITH : Operator.STARTS_WITH;
            value = value.isEmpty() ? value : value.substring(0, value.length() - 1);
        } else {
            // Anything that is not "prefix*" is read as "*suffix": the first character is dropped unseen.
            operator = negate ? Operator.NOT_ENDS_WITH : Operator.ENDS_WITH;
            value = value.isEmpty() ? value : value.substring(1);
        }

        String targetText = target.text();
        if (PLAIN_FUNCTION_TARGETS.contains(targetText)) {
            nodes.add(FqlCondition.of(ConditionType.fromFqlField(targetText), null, operator, value));
        }
        for (ConditionType pathType : List.of(
                ConditionType.EVENT_PROPERTY, ConditionType.EVENT_TRAIT, ConditionType.EVENT_CONTEXT)) {
            // A bare prefix test, as upstream: "propertiesX" counts as properties, with name "propertiesX".
            if (targetText.startsWith(pathType.fqlField())) {
                nodes.add(FqlCondition.of(pathType, stripFieldPrefix(targetText, pathType), operator, value));
            }
        }
    }

    private static String stripFieldPrefix(String text, ConditionType type) {
        String prefix = type.fqlField() + ".";
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    /** Upstream's getTokenValue: strings lose their double quotes, numbers become numbers, true/false booleans. */
    private static Object tokenValue(FqlToken token) {
        String text = token.text();
        switch (token.type()) {
            case STRING -> {
                // Only double quotes are stripped: 'x' keeps its single quotes, as upstream.
                String value = text.startsWith("\"") ? text.substring(1) : text;
                return value.endsWith("\"") ? value.substring(0, value.length() - 1) : value;
            }
            case NUMBER -> {
                return JsValues.stringToNumber(text);
            }
            case IDENT -> {
                if (text.equals("true") || text.equals("false")) {
                    return Boolean.valueOf(text);
                }
                return text;
            }
            default -> {
                return text;
            }
        }
    }

    private FqlParseException error(String message, FqlToken at) {
        return new FqlParseException(message, source, at.position());
    }
}
