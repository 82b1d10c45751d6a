package dev.outflow.schemas.catalog;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.DataCategory.PiiKind;
import dev.outflow.schemas.catalog.PrivacyConfig.BlockRule;
import dev.outflow.schemas.catalog.PrivacyConfig.HashRule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the catalog's {@code privacy} section: {@code suppressions} (a file of suppressed userIds),
 * {@code suppressionTopic} (a compacted Kafka topic of them, read by the job),
 * {@code blockedFields} and {@code hashFields} (field paths or data categories, for all or some destinations).
 */
final class PrivacyLoader {

    private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*");
    private static final Pattern SEPARATOR = Pattern.compile("[\\s,]+");
    /** Kafka's own rule for topic names. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final String origin;
    private final Set<String> destinationIds;

    PrivacyLoader(String origin, Set<String> destinationIds) {
        this.origin = origin;
        this.destinationIds = destinationIds;
    }

    PrivacyConfig load(CatalogLoader.Fields privacy) {
        String suppressionFile = privacy.string("suppressions", "");
        Map<String, SuppressionMode> suppressions = suppressionFile.isEmpty()
                ? Map.of()
                : suppressions(resolve(suppressionFile));
        String suppressionTopic = privacy.string("suppressionTopic", "");
        if (!suppressionTopic.isEmpty() && !TOPIC.matcher(suppressionTopic).matches()) {
            privacy.fail("suppressionTopic", "'" + suppressionTopic + "' is not a Kafka topic name (letters, digits,"
                    + " '.', '_' and '-', at most 249)");
        }
        List<BlockRule> blocked = new ArrayList<>();
        for (CatalogLoader.Fields rule : rules(privacy, "blockedFields")) {
            Map<String, PiiKind> paths = fields(rule);
            Set<String> destinations = destinations(rule);
            String actionName = rule.string("action", BlockAction.DROP_FIELD.wireName());
            BlockAction action = switch (actionName) {
                case "drop_field" -> BlockAction.DROP_FIELD;
                case "drop_event" -> BlockAction.DROP_EVENT;
                default -> throw rule.failure("action", "must be drop_field or drop_event, got '" + actionName + "'");
            };
            rule.rejectUnknown();
            blocked.add(new BlockRule(List.copyOf(paths.keySet()), destinations, action));
        }
        List<HashRule> hashed = new ArrayList<>();
        for (CatalogLoader.Fields rule : rules(privacy, "hashFields")) {
            Map<String, PiiKind> paths = fields(rule);
            Set<String> destinations = destinations(rule);
            rule.rejectUnknown();
            hashed.add(new HashRule(paths, destinations));
        }
        privacy.rejectUnknown();
        return new PrivacyConfig(suppressions, suppressionTopic.isEmpty() ? null : suppressionTopic, blocked,
                hashed);
    }

    private static List<CatalogLoader.Fields> rules(CatalogLoader.Fields privacy, String field) {
        JsonNode list = privacy.optional(field);
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            privacy.fail(field, "must be a list of rules, each with fields (and optionally destinations)");
        }
        List<CatalogLoader.Fields> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            rules.add(privacy.nested(field + "[" + i + "]", list.get(i)));
        }
        return rules;
    }

    /** Categories expand to their well-known paths; anything else must be a dotted path. */
    private static Map<String, PiiKind> fields(CatalogLoader.Fields rule) {
        Map<String, PiiKind> paths = new LinkedHashMap<>();
        List<String> names = rule.stringList("fields", rule.required("fields"));
        if (names.isEmpty()) {
            rule.fail("fields", "must name at least one field or data category");
        }
        for (String name : names) {
            Optional<DataCategory> category = DataCategory.fromWireName(name);
            if (category.isPresent()) {
                category.get().paths().forEach(path -> paths.put(path, category.get().kind()));
            } else if (FIELD_PATH.matcher(name).matches() && name.contains(".")) {
                paths.put(name, PiiKind.ofPath(name));
            } else {
                rule.fail("fields", "'" + name + "' is neither a data category (email, phone, ip, name, address,"
                        + " birthday, device-id) nor a dotted field path such as traits.email");
            }
        }
        return paths;
    }

    private Set<String> destinations(CatalogLoader.Fields rule) {
        JsonNode node = rule.optional("destinations");
        if (node == null) {
            return Set.of();
        }
        Set<String> destinations = new LinkedHashSet<>(rule.stringList("destinations", node));
        for (String id : destinations) {
            if (!destinationIds.contains(id)) {
                rule.fail("destinations", "'" + id + "' is not a destination of this catalog");
            }
        }
        return destinations;
    }

    private Path resolve(String file) {
        Path path = Path.of(file);
        Path catalogDir = Path.of(origin).toAbsolutePath().getParent();
        return path.isAbsolute() || catalogDir == null ? path : catalogDir.resolve(path);
    }

    /** One userId per line, optionally followed by its regulation; {@code #} starts a comment. */
    private Map<String, SuppressionMode> suppressions(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new CatalogException(origin, null, "privacy.suppressions", "cannot read " + file + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        Map<String, SuppressionMode> suppressions = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int comment = line.indexOf('#');
            String content = (comment >= 0 ? line.substring(0, comment) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            String[] parts = SEPARATOR.split(content);
            if (parts.length > 2) {
                throw new CatalogException(origin, null, "privacy.suppressions", file + " line " + (i + 1)
                        + ": expected '<userId> [suppress_only|suppress_with_delete]', got '" + content + "'");
            }
            SuppressionMode mode = parts.length == 1
                    ? SuppressionMode.SUPPRESS_ONLY
                    : SuppressionMode.fromWireName(parts[1]).orElse(null);
            if (mode == null) {
                throw new CatalogException(origin, null, "privacy.suppressions", file + " line " + (i + 1) + ": '"
                        + parts[1] + "' is not suppress_only or suppress_with_delete");
            }
            suppressions.put(parts[0], mode);
        }
        return suppressions;
    }
}
