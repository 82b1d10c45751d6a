package dev.outflow.schemas.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.outflow.schemas.event.EventType;
import dev.outflow.schemas.event.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates a destination catalog (YAML, or JSON for files ending in {@code .json}).
 *
 * <p>Validation is strict so that a typo fails at start-up instead of silently changing routing: unknown fields
 * are errors, and the first problem is reported as one {@link CatalogException} naming the file, the destination
 * and the field. {@code ${env:NAME}} anywhere in a string value is replaced by that environment variable; header
 * values that used one are marked secret and never printed.
 */
public final class CatalogLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib)?");
    private static final Set<String> SENSITIVE_HEADERS =
            Set.of("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie");

    /** Event types a destination gets when it lists none: {@code delete} only goes where it is asked for. */
    public static final Set<EventType> DEFAULT_EVENT_TYPES = EnumSet.complementOf(EnumSet.of(EventType.DELETE));

    /** Function code larger than this is almost certainly a mistake (a bundle of node_modules, say). */
    static final long MAX_CODE_BYTES = 1024 * 1024;

    private final UnaryOperator<String> environment;
    private List<FunctionCodeChecker> codeCheckers;

    /** A loader that resolves {@code ${env:NAME}} from the process environment. */
    public CatalogLoader() {
        this(System::getenv);
    }

    /** A loader with its own variable lookup (returns null for an unknown name). */
    public CatalogLoader(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    public DestinationCatalog load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CatalogException(name, null, null, "file not found");
        } catch (IOException e) {
            throw new CatalogException(name, null, null, "cannot read: " + e.getMessage());
        }
        return parse(name, text, name.endsWith(".json"), file.toAbsolutePath().getParent());
    }

    /** Parses catalog text; {@code origin} names it in messages. Function code paths are relative to the working directory. */
    public DestinationCatalog parse(String origin, String text, boolean json) {
        return parse(origin, text, json, Path.of("").toAbsolutePath());
    }

    private DestinationCatalog parse(String origin, String text, boolean json, Path baseDir) {
        JsonNode root;
        try {
            root = (json ? Json.MAPPER : YAML).readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new CatalogException(origin, null, null, "not valid " + (json ? "JSON" : "YAML") + where
                    + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CatalogException(origin, null, null, "expected a mapping with a 'destinations' list");
        }
        Fields top = new Fields(origin, null, "", root);
        JsonNode list = top.required("destinations");
        JsonNode privacyNode = top.optional("privacy");
        top.rejectUnknown();
        if (!list.isArray() || list.isEmpty()) {
            throw new CatalogException(origin, null, "destinations", "must be a non-empty list");
        }
        List<DestinationConfig> destinations = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            DestinationConfig destination = destination(origin, i, list.get(i), baseDir);
            if (!ids.add(destination.id())) {
                throw new CatalogException(origin, destination.id(), "id", "is used by more than one destination");
            }
            if (!names.add(destination.name())) {
                throw new CatalogException(origin, destination.id(), "name",
                        "'" + destination.name() + "' is used by more than one destination");
            }
            destinations.add(destination);
        }
        PrivacyConfig privacy = privacyNode == null
                ? PrivacyConfig.NONE
                : new PrivacyLoader(origin, ids).load(top.nested("privacy", privacyNode));
        return new DestinationCatalog(origin, destinations, privacy);
    }

    private DestinationConfig destination(String origin, int index, JsonNode node, Path baseDir) {
        if (!node.isObject()) {
            throw new CatalogException(origin, "#" + (index + 1), null, "must be a mapping");
        }
        JsonNode idNode = node.get("id");
        String label = idNode != null && idNode.isTextual() ? idNode.asText() : "#" + (index + 1);
        Fields fields = new Fields(origin, label, "", node);
        String id = fields.string("id", null);
        if (!ID.matcher(id).matches()) {
            fields.fail("id", "must be lower-case letters, digits, '.', '_' or '-' (at most 64), got '" + id + "'");
        }
        String name = fields.string("name", id);
        String typeName = fields.string("type", null);
        DestinationType type = switch (typeName.toLowerCase(Locale.ROOT)) {
            case "webhook" -> DestinationType.WEBHOOK;
            case "function" -> DestinationType.FUNCTION;
            case "actions" -> DestinationType.ACTIONS;
            default -> throw fields.failure("type", "'" + typeName
                    + "' is not a destination type (known: webhook, actions, function)");
        };
        boolean enabled = fields.bool("enabled", true);
        String endpoint = null;
        FunctionConfig function = null;
        if (type == DestinationType.FUNCTION) {
            for (String webhookOnly : List.of("endpoint", "headers")) {
                if (node.has(webhookOnly)) {
                    fields.fail(webhookOnly, "is not used by a function destination (the function makes its own requests)");
                }
            }
            function = function(fields, baseDir);
        } else {
            for (String functionOnly : List.of("code", "settings", "encryptedSettings")) {
                if (node.has(functionOnly)) {
                    fields.fail(functionOnly, "is only used by destinations of type: function");
                }
            }
            if (type == DestinationType.WEBHOOK) {
                endpoint = fields.string("endpoint", null);
                checkEndpoint(fields, "endpoint", endpoint);
            }
        }

        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> secretHeaders = new HashSet<>();
        readHeaders(fields, fields.optional("headers"), headers, secretHeaders);

        Set<EventType> eventTypes = DEFAULT_EVENT_TYPES;
        JsonNode typesNode = fields.optional("eventTypes");
        if (typesNode != null) {
            eventTypes = EnumSet.noneOf(EventType.class);
            for (String value : fields.stringList("eventTypes", typesNode)) {
                EventType eventType = EventType.fromWireName(value).orElseThrow(() -> fields.failure("eventTypes",
                        "'" + value + "' is not a Segment Spec type (track, identify, page, screen, group, alias, delete)"));
                eventTypes.add(eventType);
            }
            if (eventTypes.isEmpty()) {
                fields.fail("eventTypes", "must list at least one event type (omit it to accept all)");
            }
        }
        if (fields.bool("handlesDeletes", false)) {
            eventTypes = EnumSet.copyOf(eventTypes);
            eventTypes.add(EventType.DELETE);
        }
        JsonNode sourcesNode = fields.optional("sourceIds");
        Set<String> sourceIds = sourcesNode == null
                ? Set.of()
                : new LinkedHashSet<>(fields.stringList("sourceIds", sourcesNode));
        List<FilterConfig> filters = filters(fields);
        List<ActionSubscriptionConfig> subscriptions = type == DestinationType.ACTIONS
                ? subscriptions(fields, headers, secretHeaders)
                : List.of();

        BatchingConfig batching = batching(fields);
        // Segment gives a function 5 s per invocation; a webhook request gets the usual 10 s.
        DeliveryConfig defaults = type == DestinationType.FUNCTION ? DeliveryConfig.FUNCTION_DEFAULTS
                : DeliveryConfig.DEFAULTS;
        DeliveryConfig delivery = defaults;
        JsonNode deliveryNode = fields.optional("delivery");
        if (deliveryNode != null) {
            Fields d = fields.nested("delivery", deliveryNode);
            long timeoutMs = d.duration("timeout", defaults.timeoutMs(), 1, 600_000);
            int maxConcurrency = (int) d.longInRange("maxConcurrency", DeliveryConfig.DEFAULTS.maxConcurrency(), 1,
                    1_024);
            RetryPolicy retry = RetryPolicy.DEFAULTS;
            JsonNode retryNode = d.optional("retry");
            if (retryNode != null) {
                Fields r = d.nested("retry", retryNode);
                long window = r.duration("window", RetryPolicy.DEFAULTS.windowMs(), 0, 7 * 24 * 3_600_000L);
                long initialWait = r.duration("initialWait", RetryPolicy.DEFAULTS.initialWaitMs(), 1, 24 * 3_600_000L);
                long maxWait = r.duration("maxWait", Math.max(initialWait, RetryPolicy.DEFAULTS.maxWaitMs()), 1,
                        24 * 3_600_000L);
                if (maxWait < initialWait) {
                    r.fail("maxWait", "must not be shorter than initialWait (" + initialWait + " ms), got " + maxWait
                            + " ms");
                }
                r.rejectUnknown();
                retry = new RetryPolicy(window, initialWait, maxWait);
            }
            delivery = new DeliveryConfig(timeoutMs, maxConcurrency, retry,
                    d.duration("dedupWindow", DeliveryConfig.DEFAULT_DEDUP_WINDOW_MS, 0,
                            DeliveryConfig.MAX_DEDUP_WINDOW_MS),
                    d.duration("circuitOpen", DeliveryConfig.DEFAULT_CIRCUIT_OPEN_MS, 1, 3_600_000));
            d.rejectUnknown();
        }
        fields.rejectUnknown();
        return new DestinationConfig(id, name, type, enabled, endpoint, headers, secretHeaders, eventTypes,
                sourceIds, batching, delivery, function, "POST", filters, subscriptions);
    }

    private FunctionConfig function(Fields fields, Path baseDir) {
        String codeFile = fields.string("code", null);
        Path path = baseDir.resolve(codeFile).normalize();
        String code;
        try {
            if (Files.size(path) > MAX_CODE_BYTES) {
                fields.fail("code", "'" + path + "' is larger than " + MAX_CODE_BYTES + " bytes");
            }
            code = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw fields.failure("code", "file not found: " + path);
        } catch (IOException e) {
            throw fields.failure("code", "cannot read " + path + ": " + e.getMessage());
        }
        for (FunctionCodeChecker checker : codeCheckers()) {
            checker.check(path.toString(), code).ifPresent(problem -> fields.fail("code", path + ": " + problem));
        }

        String settingsJson = "{}";
        JsonNode settingsNode = fields.optional("settings");
        if (settingsNode != null) {
            if (!settingsNode.isObject()) {
                fields.fail("settings", "must be a mapping of setting name to value");
            }
            settingsJson = settingsNode.toString();
        }
        Map<String, String> encrypted = new LinkedHashMap<>();
        JsonNode encryptedNode = fields.optional("encryptedSettings");
        if (encryptedNode != null) {
            if (!encryptedNode.isObject()) {
                fields.fail("encryptedSettings", "must be a mapping of setting name to encrypted value");
            }
            String key = environment.apply(SettingsCipher.KEY_VARIABLE);
            if (key == null || key.isBlank()) {
                fields.fail("encryptedSettings", "needs the key in environment variable "
                        + SettingsCipher.KEY_VARIABLE + ", which is not set");
            }
            SettingsCipher cipher;
            try {
                cipher = SettingsCipher.fromBase64Key(key);
            } catch (IllegalArgumentException e) {
                throw fields.failure("encryptedSettings", e.getMessage());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = encryptedNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> setting = it.next();
                String field = "encryptedSettings." + setting.getKey();
                if (!setting.getValue().isTextual()) {
                    fields.fail(field, "must be a string made by ./outflow functions encrypt");
                }
                if (settingsNode != null && settingsNode.has(setting.getKey())) {
                    fields.fail(field, "is also a plain setting; a name may be in only one of the two");
                }
                try {
                    // checked now so a wrong key fails at start-up; the plaintext is dropped at once
                    cipher.decrypt(setting.getValue().asText());
                } catch (IllegalArgumentException e) {
                    throw fields.failure(field, e.getMessage());
                }
                encrypted.put(setting.getKey(), setting.getValue().asText());
            }
        }
        return new FunctionConfig(path.toString(), code, settingsJson, encrypted);
    }

    private List<FunctionCodeChecker> codeCheckers() {
        if (codeCheckers == null) {
            List<FunctionCodeChecker> found = new ArrayList<>();
            java.util.ServiceLoader.load(FunctionCodeChecker.class, CatalogLoader.class.getClassLoader())
                    .forEach(found::add);
            codeCheckers = found;
        }
        return codeCheckers;
    }

    private static void checkEndpoint(Fields fields, String field, String endpoint) {
        try {
            URI uri = new URI(endpoint);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                fields.fail(field, "must be an http:// or https:// URL, got '" + endpoint + "'");
            }
            if (uri.getHost() == null) {
                fields.fail(field, "has no host: '" + endpoint + "'");
            }
        } catch (URISyntaxException e) {
            fields.fail(field, "is not a valid URL: " + e.getReason());
        }
    }

    /**
     * Destination filters in Segment's API shape: an {@code if} condition (FQL, or {@code all}) and exactly one of
     * {@code drop: true}, {@code sample: <0..1>}, {@code dropProperties: {object: [keys]}} and
     * {@code allowProperties: {object: [keys]}}. The FQL is only read here; it is compiled, and rejected with the
     * same kind of message, when the router is built.
     */
    private List<FilterConfig> filters(Fields fields) {
        JsonNode list = fields.optional("filters");
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            fields.fail("filters", "must be a list of filters");
        }
        List<FilterConfig> filters = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Fields f = fields.nested("filters[" + i + "]", list.get(i));
            String condition = f.string("if", null);
            List<FilterConfig> actions = new ArrayList<>();
            if (f.bool("drop", false)) {
                actions.add(new FilterConfig(condition, FilterAction.DROP, 0, Map.of()));
            }
            JsonNode sample = f.optional("sample");
            if (sample != null) {
                if (!sample.isNumber() || sample.asDouble() < 0 || sample.asDouble() > 1) {
                    f.fail("sample", "must be the share of events kept, from 0 to 1, got '" + sample.asText() + "'");
                }
                actions.add(new FilterConfig(condition, FilterAction.SAMPLE, sample.asDouble(), Map.of()));
            }
            for (FilterAction action : List.of(FilterAction.DROP_PROPERTIES, FilterAction.ALLOW_PROPERTIES)) {
                String field = action == FilterAction.DROP_PROPERTIES ? "dropProperties" : "allowProperties";
                JsonNode objects = f.optional(field);
                if (objects != null) {
                    actions.add(new FilterConfig(condition, action, 0, propertyLists(f, field, objects)));
                }
            }
            if (actions.size() != 1) {
                f.fail("if", "a filter takes exactly one of drop: true, sample, dropProperties or allowProperties, got "
                        + actions.size());
            }
            f.rejectUnknown();
            filters.add(actions.get(0));
        }
        return filters;
    }

    private static Map<String, List<String>> propertyLists(Fields f, String field, JsonNode objects) {
        if (!objects.isObject() || objects.isEmpty()) {
            f.fail(field, "must map object paths ('' for the top level, properties, traits, context.traits, ...) to"
                    + " lists of keys");
        }
        Map<String, List<String>> lists = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = objects.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            lists.put(entry.getKey(), f.stringList(field + "." + entry.getKey(), entry.getValue()));
        }
        return lists;
    }

    /**
     * The {@code batching} block of a destination or of an Actions subscription (each subscription is a delivery
     * target of its own, batched on its own, so it takes the same options, {@code mode} included).
     */
    private static BatchingConfig batching(Fields owner) {
        JsonNode batchingNode = owner.optional("batching");
        if (batchingNode == null) {
            return BatchingConfig.SINGLE;
        }
        Fields b = owner.nested("batching", batchingNode);
        BatchingConfig batching = new BatchingConfig(
                (int) b.longInRange("maxEvents", BatchingConfig.SINGLE.maxEvents(), 1, 10_000),
                b.size("maxBytes", BatchingConfig.SINGLE.maxBytes(), 1_024, 64L * 1024 * 1024),
                b.duration("maxWait", BatchingConfig.SINGLE.maxWaitMs(), 1, 3_600_000),
                (int) b.longInRange("shards", BatchingConfig.SINGLE.shards(), 1, 128),
                b.batchMode("mode"));
        if (batching.isBulk() && batching.maxEvents() < BatchingConfig.BULK_MIN_EVENTS) {
            b.fail("maxEvents", "must be at least " + BatchingConfig.BULK_MIN_EVENTS
                    + " in bulk mode, got " + batching.maxEvents());
        }
        b.rejectUnknown();
        return batching;
    }

    private List<ActionSubscriptionConfig> subscriptions(Fields fields, Map<String, String> destinationHeaders,
            Set<String> destinationSecrets) {
        JsonNode list = fields.required("subscriptions");
        if (!list.isArray() || list.isEmpty()) {
            fields.fail("subscriptions", "must be a non-empty list of subscriptions");
        }
        List<ActionSubscriptionConfig> subscriptions = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Fields s = fields.nested("subscriptions[" + i + "]", list.get(i));
            String name = s.string("name", null);
            String key = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
            if (key.isEmpty() || !keys.add(key)) {
                s.fail("name", "'" + name + "' must be unique among the subscriptions (by its letters and digits)");
            }
            String trigger = s.string("subscribe", null);
            JsonNode mapping = s.required("mapping");
            if (!mapping.isObject()) {
                s.fail("mapping", "must be a mapping of field name to value or directive");
            }
            Fields action = s.nested("action", s.required("action"));
            String method = action.string("method", "POST").toUpperCase(Locale.ROOT);
            if (!Set.of("POST", "PUT", "PATCH", "DELETE", "GET").contains(method)) {
                action.fail("method", "must be POST, PUT, PATCH, DELETE or GET, got '" + method + "'");
            }
            String url = action.string("url", null);
            checkEndpoint(action, "url", url.replaceAll("\\{\\{[^}]*}}", "x"));
            Map<String, String> headers = new LinkedHashMap<>(destinationHeaders);
            Set<String> secrets = new HashSet<>(destinationSecrets);
            readHeaders(action, action.optional("headers"), headers, secrets);
            action.rejectUnknown();
            BatchingConfig batching = batching(s);
            if (url.contains("{{") && !batching.isSingle()) {
                s.fail("batching.maxEvents", "must be 1: the action's url depends on the event, so each request"
                        + " carries one event");
            }
            String modeName = s.string("syncMode", SyncMode.UPSERT.wireName());
            SyncMode syncMode = SyncMode.fromWireName(modeName).orElseThrow(() -> s.failure("syncMode",
                    "must be add, update, upsert, remove (or delete) or mirror, got '" + modeName + "'"));
            boolean enabled = s.bool("enabled", true);
            s.rejectUnknown();
            subscriptions.add(new ActionSubscriptionConfig(key, name, trigger, mapping.deepCopy(), method, url,
                    headers, secrets, batching, syncMode, enabled));
        }
        return subscriptions;
    }

    private void readHeaders(Fields fields, JsonNode headerNode, Map<String, String> headers, Set<String> secrets) {
        if (headerNode == null) {
            return;
        }
        if (!headerNode.isObject()) {
            fields.fail("headers", "must be a mapping of header name to value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = headerNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            String field = "headers." + header.getKey();
            if (!header.getValue().isValueNode() || header.getValue().isNull()) {
                fields.fail(field, "must be a string");
            }
            String raw = header.getValue().asText();
            String value = resolve(fields, field, raw);
            headers.put(header.getKey(), value);
            if (!raw.equals(value) || SENSITIVE_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                secrets.add(header.getKey());
            }
        }
    }

    private String resolve(Fields fields, String field, String raw) {
        Matcher matcher = VARIABLE.matcher(raw);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String value = environment.apply(matcher.group(1));
            if (value == null) {
                fields.fail(field, "refers to environment variable " + matcher.group(1) + ", which is not set");
            }
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }

    /**
     * The fields of one mapping, with the error context; remembers which keys were read to catch typos. Shared with
     * {@link PrivacyLoader}.
     */
    final class Fields {
        private final String origin;
        private final String destination;
        private final String prefix;
        private final JsonNode node;
        private final Set<String> seen = new HashSet<>();

        Fields(String origin, String destination, String prefix, JsonNode node) {
            this.origin = origin;
            this.destination = destination;
            this.prefix = prefix;
            this.node = node;
        }

        Fields nested(String field, JsonNode child) {
            if (!child.isObject()) {
                fail(field, "must be a mapping");
            }
            return new Fields(origin, destination, prefix + field + ".", child);
        }

        JsonNode optional(String field) {
            seen.add(field);
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value;
        }

        JsonNode required(String field) {
            JsonNode value = optional(field);
            if (value == null) {
                fail(field, "is required");
            }
            return value;
        }

        String string(String field, String fallback) {
            JsonNode value = fallback == null ? required(field) : optional(field);
            if (value == null) {
                return fallback;
            }
            if (!value.isTextual() || value.asText().isBlank()) {
                fail(field, "must be a non-empty string");
            }
            return resolve(this, field, value.asText().trim());
        }

        BatchMode batchMode(String field) {
            String value = string(field, BatchMode.STREAM.wireName());
            return BatchMode.fromWireName(value).orElseThrow(() -> failure(field,
                    "must be 'stream' (variable batches between retries) or 'bulk' (same events), got '" + value
                            + "'"));
        }

        boolean bool(String field, boolean fallback) {
            JsonNode value = optional(field);
            if (value == null) {
                return fallback;
            }
            if (!value.isBoolean()) {
                fail(field, "must be true or false, got '" + value.asText() + "'");
            }
            return value.asBoolean();
        }

        List<String> stringList(String field, JsonNode value) {
            if (!value.isArray()) {
                fail(field, "must be a list of strings");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isTextual() || item.asText().isBlank()) {
                    fail(field, "must be a list of non-empty strings");
                }
                values.add(item.asText().trim());
            }
            return values;
        }

        long longInRange(String field, long fallback, long min, long max) {
            JsonNode value = optional(field);
            if (value == null) {
                return fallback;
            }
            if (!value.canConvertToExactIntegral() || !value.isNumber()) {
                fail(field, "must be a whole number, got '" + value.asText() + "'");
            }
            if (!value.canConvertToLong()) {
                // asLong() would silently wrap a huge number into range
                fail(field, "is too large, got '" + value.asText() + "'");
            }
            return inRange(field, value.asLong(), min, max, "");
        }

        long duration(String field, long fallbackMs, long minMs, long maxMs) {
            JsonNode value = optional(field);
            if (value == null) {
                return fallbackMs;
            }
            long ms = parseWithUnit(field, value, DURATION, "a duration such as 500ms, 10s or 5m", unit -> switch (unit) {
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 1L;
            });
            return inRange(field, ms, minMs, maxMs, " ms");
        }

        long size(String field, long fallback, long min, long max) {
            JsonNode value = optional(field);
            if (value == null) {
                return fallback;
            }
            long bytes = parseWithUnit(field, value, SIZE, "a size such as 65536, 512kb or 4mb", unit -> switch (unit) {
                case "kb", "kib" -> 1_024L;
                case "mb", "mib" -> 1_024L * 1_024;
                default -> 1L;
            });
            return inRange(field, bytes, min, max, " bytes");
        }

        private long parseWithUnit(String field, JsonNode value, Pattern pattern, String expected,
                java.util.function.Function<String, Long> multiplier) {
            if (value.isIntegralNumber()) {
                if (!value.canConvertToLong()) {
                    // asLong() would silently wrap a huge number into range
                    fail(field, "is too large, got '" + value.asText() + "'");
                }
                return value.asLong();
            }
            Matcher matcher = value.isTextual()
                    ? pattern.matcher(value.asText().trim().toLowerCase(Locale.ROOT))
                    : null;
            if (matcher == null || !matcher.matches()) {
                fail(field, "must be " + expected + ", got '" + value.asText() + "'");
            }
            String unit = matcher.group(2) == null ? "" : matcher.group(2);
            try {
                return Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier.apply(unit));
            } catch (NumberFormatException | ArithmeticException overflow) {
                throw failure(field, "is too large, got '" + value.asText() + "'");
            }
        }

        private long inRange(String field, long value, long min, long max, String unit) {
            if (value < min || value > max) {
                fail(field, "must be between " + min + " and " + max + unit + ", got " + value + unit);
            }
            return value;
        }

        void rejectUnknown() {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!seen.contains(name)) {
                    fail(name, "is not a known field" + (destination == null && prefix.isEmpty()
                            ? " (top level takes: destinations)" : ""));
                }
            }
        }

        CatalogException failure(String field, String problem) {
            return new CatalogException(origin, destination, prefix + field, problem);
        }

        void fail(String field, String problem) {
            throw failure(field, problem);
        }
    }
}
