package dev.outflow.schemas.catalog;

import java.util.Locale;

/** How a destination receives events. */
public enum DestinationType {
    /** The event JSON (or an array of them) POSTed to one endpoint. */
    WEBHOOK,
    /** A JavaScript destination function (Segment's {@code onTrack} ... {@code onBatch} handlers) run in a sandbox. */
    FUNCTION,

    /** Segment Actions: subscriptions, each with a trigger, a mapping and an HTTP action. */
    ACTIONS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
