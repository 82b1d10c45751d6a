package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A dotted path into an event ({@code context.traits.email}), split once: the objects to walk and the last key.
 * The empty path is the event itself.
 */
record FieldPath(String[] parents, String leaf) implements Serializable {

    static FieldPath of(String dotted) {
        if (dotted.isEmpty()) {
            return new FieldPath(new String[0], "");
        }
        String[] parts = dotted.split("\\.");
        return new FieldPath(Arrays.copyOf(parts, parts.length - 1), parts[parts.length - 1]);
    }

    /** The node at this path, or a missing node. */
    JsonNode get(JsonNode root) {
        JsonNode parent = parent(root);
        return leaf.isEmpty() ? parent : parent.path(leaf);
    }

    /** The object (or array, or missing node) that holds the leaf. */
    JsonNode parent(JsonNode root) {
        JsonNode node = root;
        for (String part : parents) {
            node = node.path(part);
        }
        return node;
    }

    /** Removes the leaf; true when there was one. */
    boolean remove(JsonNode root) {
        JsonNode parent = parent(root);
        return parent instanceof ObjectNode object && object.remove(leaf) != null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldPath that && Arrays.equals(parents, that.parents) && leaf.equals(that.leaf);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(parents) * 31 + leaf.hashCode();
    }

    @Override
    public String toString() {
        return parents.length == 0 ? leaf : String.join(".", parents) + "." + leaf;
    }
}
