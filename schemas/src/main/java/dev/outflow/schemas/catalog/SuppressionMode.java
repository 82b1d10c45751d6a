package dev.outflow.schemas.catalog;

import java.util.Locale;
import java.util.Optional;

/** Segment's user suppression regulations. */
public enum SuppressionMode {
    /** No new data for the user reaches any destination. */
    SUPPRESS_ONLY,
    /** As {@link #SUPPRESS_ONLY}, and the user's {@code delete} events still reach destinations that handle them. */
    SUPPRESS_WITH_DELETE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SuppressionMode> fromWireName(String value) {
        for (SuppressionMode mode : values()) {
            if (mode.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
