package dev.outflow.schemas.catalog;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Kinds of personal data, each with the well-known Segment Spec fields that hold it, so privacy rules can name a
 * category instead of every field.
 */
public enum DataCategory {
    EMAIL(PiiKind.EMAIL, "traits.email", "context.traits.email", "properties.email"),
    PHONE(PiiKind.PHONE, "traits.phone", "context.traits.phone", "properties.phone"),
    IP(PiiKind.OTHER, "context.ip"),
    NAME(PiiKind.OTHER, "traits.name", "traits.firstName", "traits.lastName", "context.traits.name",
            "context.traits.firstName", "context.traits.lastName"),
    ADDRESS(PiiKind.OTHER, "traits.address", "context.traits.address", "context.location"),
    BIRTHDAY(PiiKind.OTHER, "traits.birthday", "context.traits.birthday"),
    DEVICE_ID(PiiKind.OTHER, "context.device.id", "context.device.advertisingId");

    private final PiiKind kind;
    private final List<String> paths;

    DataCategory(PiiKind kind, String... paths) {
        this.kind = kind;
        this.paths = List.of(paths);
    }

    public PiiKind kind() {
        return kind;
    }

    /** Dotted paths from the event's top level. */
    public List<String> paths() {
        return paths;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<DataCategory> fromWireName(String value) {
        for (DataCategory category : values()) {
            if (category.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(category);
            }
        }
        return Optional.empty();
    }

    /** How a value is normalized before it is hashed. */
    public enum PiiKind {
        /** Trimmed and lower-cased. */
        EMAIL,
        /** E.164: {@code +} and digits only. */
        PHONE,
        /** Trimmed. */
        OTHER;

        /** The kind for an explicit field path: by its last segment's name. */
        public static PiiKind ofPath(String path) {
            String last = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (last.contains("email")) {
                return EMAIL;
            }
            if (last.contains("phone")) {
                return PHONE;
            }
            return OTHER;
        }
    }
}
