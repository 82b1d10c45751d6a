package dev.outflow.schemas.catalog;

import java.util.Locale;

/**
 * What a destination filter does to the events its condition matches. Declared in the order Segment applies them:
 * all sample filters first, then drops, then dropped properties, then allowed properties.
 */
public enum FilterAction {
    /** Keeps only a share of the matching events (deterministic per messageId). */
    SAMPLE,
    /** The matching events do not reach the destination. */
    DROP,
    /** Removes the listed fields from the matching events. */
    DROP_PROPERTIES,
    /** Keeps only the listed fields of the named objects of the matching events. */
    ALLOW_PROPERTIES;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
