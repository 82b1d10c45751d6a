package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Converts the AST to and from the JSON shape of Segment's subscription AST. */
public final class FqlAstJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private FqlAstJson() {}

    public static ObjectNode toJson(FqlNode node) {
        ObjectNode json = NODES.objectNode();
        if (node instanceof FqlGroup group) {
            json.put("type", "group");
            json.put("operator", group.operator().keyword());
            ArrayNode children = json.putArray("children");
            group.children().forEach(child -> children.add(toJson(child)));
            return json;
        }
        FqlCondition condition = (FqlCondition) node;
        json.put("type", condition.type().astName());
        if (condition.name() != null) {
            json.put("name", condition.name());
        }
        json.put("operator", condition.operatorName());
        Object value = condition.value();
        if (value instanceof String text) {
            json.put("value", text);
        } else if (value instanceof Boolean bool) {
            json.put("value", bool);
        } else if (value instanceof Double number) {
            json.set("value", numberNode(number));
        }
        return json;
    }

    /**
     * Reads an AST in Segment's JSON shape, as stored by tools that keep the AST rather than the string.
     *
     * @throws IllegalArgumentException for anything that is not a group or condition node, such as upstream's
     *     {@code {error}} result
     */
    public static FqlNode fromJson(JsonNode json) {
        String type = json.path("type").asText(null);
        if (type == null) {
            throw new IllegalArgumentException("Not a subscription AST node: " + json);
        }
        if (type.equals("group")) {
            List<FqlNode> children = new ArrayList<>();
            json.path("children").forEach(child -> children.add(fromJson(child)));
            return new FqlGroup(GroupOperator.fromKeyword(json.path("operator").asText()), children);
        }
        ConditionType conditionType = ConditionType.fromAstName(type);
        String operatorName = json.path("operator").asText();
        Operator operator = Operator.fromAstName(operatorName);
        JsonNode name = json.get("name");
        return new FqlCondition(
                conditionType,
                name == null || name.isNull() ? null : name.asText(),
                operator,
                operator == Operator.UNRECOGNIZED ? operatorName : null,
                value(json.get("value")));
    }

    private static Object value(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        return value.asText();
    }

    private static JsonNode numberNode(double number) {
        if (number == Math.rint(number) && Math.abs(number) < 1e15 && !(number == 0 && 1 / number < 0)) {
            return NODES.numberNode((long) number);
        }
        return NODES.numberNode(number);
    }
}
