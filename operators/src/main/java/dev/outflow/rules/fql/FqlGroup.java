package dev.outflow.rules.fql;

import java.util.List;
import java.util.Objects;

/** Children combined with one operator. Upstream has no precedence: {@code a and b or c} is one {@code or} group. */
public record FqlGroup(GroupOperator operator, List<FqlNode> children) implements FqlNode {

    private static final long serialVersionUID = 1L;

    public FqlGroup {
        Objects.requireNonNull(operator, "operator");
        children = List.copyOf(children);
    }
}
