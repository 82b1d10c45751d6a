package dev.outflow.schemas.catalog;

import dev.outflow.schemas.catalog.DataCategory.PiiKind;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalog's {@code privacy} section: user suppression, blocked fields and PII hashing, applied in the routing
 * stage before any destination sees an event.
 *
 * @param suppressions suppressed userIds and their regulation (from the {@code suppressions} file)
 * @param suppressionTopic the compacted Kafka topic of further suppressions (keyed by userId), or null for none
 * @param blocked blocked-fields rules, in file order
 * @param hashed hashing rules, in file order
 */
public record PrivacyConfig(Map<String, SuppressionMode> suppressions, String suppressionTopic,
        List<BlockRule> blocked, List<HashRule> hashed) implements Serializable {

    public static final PrivacyConfig NONE = new PrivacyConfig(Map.of(), null, List.of(), List.of());

    public PrivacyConfig {
        suppressions = Map.copyOf(suppressions);
        blocked = List.copyOf(blocked);
        hashed = List.copyOf(hashed);
    }

    /**
     * Fields kept from some or all destinations.
     *
     * @param paths dotted field paths (categories already expanded)
     * @param destinations destination ids it applies to; empty means every destination
     * @param action drop the field or the whole event
     */
    public record BlockRule(List<String> paths, Set<String> destinations, BlockAction action) implements Serializable {
        public BlockRule {
            paths = List.copyOf(paths);
            destinations = Set.copyOf(destinations);
        }

        public boolean appliesTo(String destinationId) {
            return destinations.isEmpty() || destinations.contains(destinationId);
        }
    }

    /**
     * Fields replaced by the SHA-256 of their normalized value.
     *
     * @param paths dotted field path to how its value is normalized
     * @param destinations destination ids it applies to; empty means every destination
     */
    public record HashRule(Map<String, PiiKind> paths, Set<String> destinations) implements Serializable {
        public HashRule {
            paths = Collections.unmodifiableMap(new LinkedHashMap<>(paths));
            destinations = Set.copyOf(destinations);
        }

        public boolean appliesTo(String destinationId) {
            return destinations.isEmpty() || destinations.contains(destinationId);
        }
    }
}
