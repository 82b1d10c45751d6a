package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;

/** A compiled subscription or part of one. */
interface EventPredicate extends Serializable {

    /** {@code event} is never null; it may be any JSON value. */
    boolean test(JsonNode event);
}
