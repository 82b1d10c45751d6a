package dev.outflow.rules.fql;

import java.io.Serializable;

/** A node of the subscription AST: a group of nodes or a single condition, as in Segment's AST. */
public sealed interface FqlNode extends Serializable permits FqlGroup, FqlCondition {}
