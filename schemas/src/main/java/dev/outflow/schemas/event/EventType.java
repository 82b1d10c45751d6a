package dev.outflow.schemas.event;

import java.util.Locale;
import java.util.Optional;

/** The seven Segment Spec call types Outflow routes. The {@code batch} envelope is unpacked before typing. */
public enum EventType {
    TRACK,
    IDENTIFY,
    PAGE,
    SCREEN,
    GROUP,
    ALIAS,
    DELETE;

    /**
     * One instance per type: every routed event carries it, and the serializers write a string they have seen
     * before from bytes kept per instance.
     */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name as it appears in the {@code type} field and in configuration ({@code track}, ...). */
    public String wireName() {
        return wireName;
    }

    /** Case-insensitive, because some libraries send {@code "Track"}; Segment accepts those too. */
    public static Optional<EventType> fromWireName(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (EventType type : values()) {
            if (type.name().equalsIgnoreCase(value.trim())) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
