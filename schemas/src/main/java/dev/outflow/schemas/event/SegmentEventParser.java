package dev.outflow.schemas.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns input records into validated {@link SegmentEvent}s, following the Segment tracking API: lenient where
 * Segment is lenient (type case, numeric ids, missing messageId or receivedAt), strict where it must be.
 *
 * <p>Invalid input is never an exception: it comes back as {@link InvalidEvent}s so the job can dead-letter it
 * with the reason and keep going. Thread-safe; all it keeps is the last {@code receivedAt} it formatted.
 */
public final class SegmentEventParser {

    /**
     * Events are read strictly: a repeated field is an error rather than the last copy winning, since an event
     * that goes out as it came in ({@link SegmentEvent#toBytes()}) would let the job route on one copy of, say,
     * {@code userId} while the destination reads the other.
     */
    private static final ObjectReader EVENT_READER =
            Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** Segment's per-call limit. */
    public static final int MAX_EVENT_BYTES = 32 * 1024;

    /** Segment's limit for a {@code batch} request; each item must still fit {@link #MAX_EVENT_BYTES}. */
    public static final int MAX_BATCH_BYTES = 500 * 1024;

    private static final List<String> OBJECT_FIELDS =
            List.of("context", "properties", "traits", "integrations", "_metadata");
    private static final List<String> TEXT_FIELDS = List.of("name", "category");
    private static final List<String> TIMESTAMP_FIELDS =
            List.of("timestamp", "sentAt", "receivedAt", "originalTimestamp");

    /** ISO-8601 date-times with or without zone (UTC assumed), with 'T' or a space, or a bare date. */
    private static final DateTimeFormatter LENIENT_ISO = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart()
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .toFormatter();

    public ParseResult parse(RawEvent raw) {
        byte[] bytes = raw.value();
        if (bytes.length == 0) {
            return ParseResult.rejected(InvalidReason.EMPTY, "record has no value", bytes);
        }
        if (bytes.length > MAX_BATCH_BYTES) {
            return ParseResult.rejected(InvalidReason.TOO_LARGE,
                    "record is " + bytes.length + " bytes, over the " + MAX_BATCH_BYTES + "-byte batch limit", bytes);
        }
        JsonNode root;
        try {
            root = EVENT_READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                return ParseResult.rejected(InvalidReason.NOT_JSON, duplicateField(e.getOriginalMessage()), bytes);
            }
            return ParseResult.rejected(InvalidReason.NOT_JSON, firstLine(e.getOriginalMessage()), bytes);
        } catch (IOException e) {
            return ParseResult.rejected(InvalidReason.NOT_JSON, firstLine(e.getMessage()), bytes);
        }
        if (root == null || root.isMissingNode()) {
            return ParseResult.rejected(InvalidReason.EMPTY, "record holds no JSON value", bytes);
        }
        if (!root.isObject()) {
            return ParseResult.rejected(InvalidReason.NOT_AN_OBJECT,
                    "expected a JSON object, got " + describe(root.getNodeType()), bytes);
        }
        ObjectNode object = (ObjectNode) root;
        if (isBatchEnvelope(object)) {
            return parseBatch(object, raw);
        }
        if (bytes.length > MAX_EVENT_BYTES) {
            return ParseResult.rejected(InvalidReason.TOO_LARGE,
                    "event is " + bytes.length + " bytes, over the " + MAX_EVENT_BYTES + "-byte limit", bytes);
        }
        List<SegmentEvent> events = new ArrayList<>(1);
        List<InvalidEvent> invalid = new ArrayList<>(0);
        validateInto(object, bytes, true, -1, raw, events, invalid);
        return new ParseResult(events, invalid);
    }

    private static boolean isBatchEnvelope(ObjectNode object) {
        JsonNode type = object.get("type");
        return object.has("batch") && (type == null || type.isNull() || "batch".equalsIgnoreCase(type.asText()));
    }

    private ParseResult parseBatch(ObjectNode envelope, RawEvent raw) {
        JsonNode items = envelope.get("batch");
        if (!items.isArray()) {
            return ParseResult.rejected(InvalidReason.WRONG_TYPE,
                    "batch must be an array, got " + describe(items.getNodeType()), raw.value());
        }
        List<SegmentEvent> events = new ArrayList<>(items.size());
        List<InvalidEvent> invalid = new ArrayList<>(0);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            byte[] itemBytes = Json.toBytes(item);
            if (!item.isObject()) {
                invalid.add(new InvalidEvent(InvalidReason.NOT_AN_OBJECT,
                        "batch item must be a JSON object, got " + describe(item.getNodeType()), i, itemBytes));
                continue;
            }
            if (itemBytes.length > MAX_EVENT_BYTES) {
                invalid.add(new InvalidEvent(InvalidReason.TOO_LARGE, "batch item is " + itemBytes.length
                        + " bytes, over the " + MAX_EVENT_BYTES + "-byte limit", i, itemBytes));
                continue;
            }
            ObjectNode event = (ObjectNode) item;
            // Top-level context and integrations of the envelope apply to every item that has none of its own.
            for (String shared : List.of("context", "integrations")) {
                if (!event.has(shared) && envelope.has(shared)) {
                    event.set(shared, envelope.get(shared).deepCopy());
                }
            }
            if (!event.has("sentAt") && envelope.has("sentAt")) {
                event.set("sentAt", envelope.get("sentAt"));
            }
            // the item's bytes are a re-serialization, and the envelope's fields were added to it since
            validateInto(event, itemBytes, false, i, raw, events, invalid);
        }
        return new ParseResult(events, invalid);
    }

    /** {@code received}: whether {@code bytes} are the event as it arrived, with nothing added to its JSON since. */
    private void validateInto(ObjectNode json, byte[] bytes, boolean received, int batchIndex, RawEvent raw,
            List<SegmentEvent> events, List<InvalidEvent> invalid) {
        try {
            events.add(validate(json, bytes, received, raw));
        } catch (Rejection rejection) {
            invalid.add(new InvalidEvent(rejection.reason, rejection.getMessage(), batchIndex, bytes));
        }
    }

    private SegmentEvent validate(ObjectNode json, byte[] bytes, boolean received, RawEvent raw) {
        Rewrites rewrites = new Rewrites();
        EventType type = readType(json, rewrites);
        for (String field : OBJECT_FIELDS) {
            JsonNode value = json.get(field);
            if (value != null && !value.isNull() && !value.isObject()) {
                throw new Rejection(InvalidReason.WRONG_TYPE,
                        field + " must be an object, got " + describe(value.getNodeType()));
            }
        }
        for (String field : TIMESTAMP_FIELDS) {
            checkTimestamp(json, field);
        }
        String userId = readId(json, "userId", rewrites);
        String anonymousId = readId(json, "anonymousId", rewrites);
        switch (type) {
            case TRACK -> {
                requireIdentity(type, userId, anonymousId);
                JsonNode event = json.get("event");
                if (event == null || event.isNull() || (event.isTextual() && event.asText().isBlank())) {
                    throw new Rejection(InvalidReason.MISSING_FIELD, "track requires a non-empty event name");
                }
                if (!event.isTextual()) {
                    throw new Rejection(InvalidReason.WRONG_TYPE,
                            "event must be a string, got " + describe(event.getNodeType()));
                }
            }
            case IDENTIFY, PAGE, SCREEN -> requireIdentity(type, userId, anonymousId);
            case GROUP -> {
                requireIdentity(type, userId, anonymousId);
                if (readId(json, "groupId", rewrites) == null) {
                    throw new Rejection(InvalidReason.MISSING_FIELD, "group requires a groupId");
                }
            }
            case ALIAS -> {
                if (userId == null) {
                    throw new Rejection(InvalidReason.MISSING_IDENTITY, "alias requires a userId");
                }
                if (readId(json, "previousId", rewrites) == null) {
                    throw new Rejection(InvalidReason.MISSING_FIELD, "alias requires a previousId");
                }
            }
            case DELETE -> {
                if (userId == null) {
                    throw new Rejection(InvalidReason.MISSING_IDENTITY, "delete requires a userId");
                }
            }
        }
        for (String field : TEXT_FIELDS) {
            JsonNode value = json.get(field);
            if (value != null && !value.isNull() && !value.isTextual()) {
                throw new Rejection(InvalidReason.WRONG_TYPE,
                        field + " must be a string, got " + describe(value.getNodeType()));
            }
        }
        String messageId = readId(json, "messageId", rewrites);
        if (messageId == null) {
            // Derived from the content, so a replay of the same record gets the same id and can be deduplicated.
            messageId = "outflow-" + sha256Prefix(bytes);
            json.put("messageId", messageId);
            rewrites.any = true;
        }
        byte[] wireBytes = received && !rewrites.any && isCompactObject(bytes) ? bytes : null;
        if (!json.hasNonNull("receivedAt")) {
            ReceivedAt receivedAt = receivedAt(raw.kafkaTimestamp());
            wireBytes = wireBytes != null && !json.has("receivedAt") ? withReceivedAt(wireBytes, receivedAt) : null;
            json.put("receivedAt", receivedAt.text());
        }
        String sourceId = raw.sourceId();
        if (sourceId == null) {
            JsonNode own = json.get("sourceId");
            sourceId = own != null && own.isTextual() ? own.asText() : null;
        }
        return new SegmentEvent(json, type, messageId, userId, anonymousId, sourceId, bytes.length, wireBytes);
    }

    /** Whether validating an event rewrote any of its fields (a type's case, a numeric id, a derived messageId). */
    private static final class Rewrites {
        boolean any;
    }

    /**
     * Bytes that are one JSON object and nothing around it (no byte-order mark, no whitespace): such an event can go
     * out as it came in. Strict JSON is all that is left after parsing: no trailing tokens, valid UTF-8, no
     * duplicate field that the job could read one way and a destination another.
     */
    private static boolean isCompactObject(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == '{' && bytes[bytes.length - 1] == '}';
    }

    /**
     * A Kafka timestamp as {@code receivedAt}: the ISO-8601 text, and the field as spliced into an event's bytes.
     * Formatting an {@link Instant} took a twentieth of the routing thread's CPU in the throughput benchmark, and the
     * records of one poll mostly share their millisecond, so the last one is kept.
     */
    private record ReceivedAt(long millis, String text, byte[] field) {
        static ReceivedAt of(long millis) {
            String text = Instant.ofEpochMilli(millis).toString();
            byte[] field = ("\"receivedAt\":\"" + text + "\",").getBytes(StandardCharsets.US_ASCII);
            return new ReceivedAt(millis, text, field);
        }
    }

    /** Immutable, so a task thread that reads another's sees it whole (final fields); a race only formats again. */
    private ReceivedAt lastReceivedAt = ReceivedAt.of(0);

    private ReceivedAt receivedAt(long millis) {
        ReceivedAt last = lastReceivedAt;
        if (last.millis() != millis) {
            last = ReceivedAt.of(millis);
            lastReceivedAt = last;
        }
        return last;
    }

    /** The event's bytes with {@code "receivedAt"} added as their first field (its JSON puts it last). */
    private static byte[] withReceivedAt(byte[] event, ReceivedAt receivedAt) {
        byte[] field = receivedAt.field();
        byte[] spliced = new byte[event.length + field.length];
        spliced[0] = '{';
        System.arraycopy(field, 0, spliced, 1, field.length);
        System.arraycopy(event, 1, spliced, 1 + field.length, event.length - 1);
        return spliced;
    }

    /** Jackson's message names the field and its own setting; the reason names the field. */
    private static String duplicateField(String message) {
        int quote = message.indexOf('\'');
        int end = quote < 0 ? -1 : message.indexOf('\'', quote + 1);
        return "duplicate field " + (end < 0 ? "in an object" : message.substring(quote, end + 1))
                + ": a JSON object may name each field once";
    }

    private static EventType readType(ObjectNode json, Rewrites rewrites) {
        JsonNode type = json.get("type");
        if (type == null || type.isNull()) {
            throw new Rejection(InvalidReason.MISSING_TYPE, "event has no type");
        }
        if (!type.isTextual()) {
            throw new Rejection(InvalidReason.WRONG_TYPE, "type must be a string, got " + describe(type.getNodeType()));
        }
        EventType parsed = EventType.fromWireName(type.asText()).orElseThrow(() -> new Rejection(
                InvalidReason.UNKNOWN_TYPE, "type '" + abbreviate(type.asText()) + "' is not a Segment Spec type"));
        if (!type.asText().equals(parsed.wireName())) {
            json.put("type", parsed.wireName());
            rewrites.any = true;
        }
        return parsed;
    }

    /** Reads an id that Segment accepts as a string or a number; numbers are normalized to strings. */
    private static String readId(ObjectNode json, String field, Rewrites rewrites) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            String text = value.asText();
            return text.isBlank() ? null : text;
        }
        if (value.isIntegralNumber() || value.isNumber()) {
            String text = value.asText();
            json.put(field, text);
            rewrites.any = true;
            return text;
        }
        throw new Rejection(InvalidReason.WRONG_TYPE,
                field + " must be a string or a number, got " + describe(value.getNodeType()));
    }

    private static void requireIdentity(EventType type, String userId, String anonymousId) {
        if (userId == null && anonymousId == null) {
            throw new Rejection(InvalidReason.MISSING_IDENTITY,
                    type.wireName() + " requires a userId or an anonymousId");
        }
    }

    private static void checkTimestamp(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isTextual()) {
            throw new Rejection(InvalidReason.BAD_TIMESTAMP,
                    field + " must be an ISO-8601 string, got " + describe(value.getNodeType()));
        }
        String text = value.asText().trim();
        if (CanonicalTimestamp.matches(text)) {
            return;
        }
        try {
            LENIENT_ISO.parse(text);
        } catch (DateTimeParseException e) {
            throw new Rejection(InvalidReason.BAD_TIMESTAMP,
                    field + " '" + abbreviate(value.asText()) + "' is not an ISO-8601 date-time");
        }
    }

    private static String sha256Prefix(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static final Map<JsonNodeType, String> TYPE_NAMES = Map.of(
            JsonNodeType.ARRAY, "an array", JsonNodeType.BOOLEAN, "a boolean", JsonNodeType.NUMBER, "a number",
            JsonNodeType.OBJECT, "an object", JsonNodeType.STRING, "a string", JsonNodeType.NULL, "null",
            JsonNodeType.BINARY, "binary data", JsonNodeType.POJO, "an object", JsonNodeType.MISSING, "nothing");

    private static String describe(JsonNodeType type) {
        return TYPE_NAMES.getOrDefault(type, type.name().toLowerCase());
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not valid JSON";
        }
        int newline = message.indexOf('\n');
        return "not valid JSON: " + (newline < 0 ? message : message.substring(0, newline));
    }

    /** Carries a validation failure out of the nested checks; never escapes this class. */
    private static final class Rejection extends RuntimeException {
        private final InvalidReason reason;

        Rejection(InvalidReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
