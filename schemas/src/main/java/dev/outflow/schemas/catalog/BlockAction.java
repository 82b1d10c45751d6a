package dev.outflow.schemas.catalog;

import java.util.Locale;

/** What a blocked-fields rule does when an event holds a blocked field. */
public enum BlockAction {
    /** The field is removed; the rest of the event goes on. */
    DROP_FIELD,
    /** The whole event is kept from the destination (counted as filtered by {@code blocked_field}). */
    DROP_EVENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
