package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The event as one destination will get it. Rules that change fields copy the shared event on their first
 * change only, so destinations without such rules share one serialized payload.
 */
final class EventCopy {

    private final ObjectNode shared;
    private ObjectNode own;

    EventCopy(ObjectNode shared) {
        this.shared = shared;
    }

    ObjectNode current() {
        return own != null ? own : shared;
    }

    /** A private copy to change. */
    ObjectNode writable() {
        if (own == null) {
            own = shared.deepCopy();
        }
        return own;
    }

    boolean changed() {
        return own != null;
    }
}
