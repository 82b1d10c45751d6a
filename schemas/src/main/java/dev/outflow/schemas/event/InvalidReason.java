package dev.outflow.schemas.event;

import java.util.Locale;

/** Why an input record could not become a Segment event. The codes are stable: dashboards filter on them. */
public enum InvalidReason {
    EMPTY,
    NOT_JSON,
    NOT_AN_OBJECT,
    TOO_LARGE,
    MISSING_TYPE,
    UNKNOWN_TYPE,
    MISSING_IDENTITY,
    MISSING_FIELD,
    WRONG_TYPE,
    BAD_TIMESTAMP;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
