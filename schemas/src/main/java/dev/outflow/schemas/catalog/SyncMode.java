package dev.outflow.schemas.catalog;

import java.util.Locale;
import java.util.Optional;

/**
 * How an Actions subscription asks the destination to apply records (Segment's sync modes). Outflow passes it to
 * the endpoint in the {@value #HEADER} header; what it means is up to the destination.
 */
public enum SyncMode {
    ADD, UPDATE, UPSERT, DELETE, MIRROR;

    /** The request header that carries the sync mode of a subscription. */
    public static final String HEADER = "X-Outflow-Sync-Mode";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts the wire names and {@code remove} (Segment's word for delete), in any case. */
    public static Optional<SyncMode> fromWireName(String value) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        if (name.equals("remove")) {
            return Optional.of(DELETE);
        }
        for (SyncMode mode : values()) {
            if (mode.wireName().equals(name)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
