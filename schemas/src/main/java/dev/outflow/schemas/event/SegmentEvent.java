package dev.outflow.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated Segment Spec event: the normalized JSON object plus the fields routing needs, read once.
 *
 * <p>Instances live inside one operator call; what travels between operators is the serialized payload.
 */
public final class SegmentEvent {

    private final ObjectNode json;
    private final EventType type;
    private final String messageId;
    private final String userId;
    private final String anonymousId;
    private final String sourceId;
    private final int serializedSize;
    /** The event as it came in (with receivedAt added), when its JSON is that unchanged; else null. */
    private final byte[] wireBytes;

    SegmentEvent(ObjectNode json, EventType type, String messageId, String userId, String anonymousId,
            String sourceId, int serializedSize, byte[] wireBytes) {
        this.json = json;
        this.type = type;
        this.messageId = messageId;
        this.userId = userId;
        this.anonymousId = anonymousId;
        this.sourceId = sourceId;
        this.serializedSize = serializedSize;
        this.wireBytes = wireBytes;
    }

    public ObjectNode json() {
        return json;
    }

    /**
     * The event's JSON as bytes: the input record's own bytes when the parser added nothing but
     * {@code receivedAt} (spliced in as the first field), else {@link #json()} written out. Sending the bytes as
     * they came saves writing every event out again, and keeps the producer's number formats and escapes.
     */
    public byte[] toBytes() {
        return wireBytes != null ? wireBytes : Json.toBytes(json);
    }

    public EventType type() {
        return type;
    }

    public String messageId() {
        return messageId;
    }

    /** Null when the event has no userId. */
    public String userId() {
        return userId;
    }

    /** Null when the event has no anonymousId. */
    public String anonymousId() {
        return anonymousId;
    }

    /** Source id from the Kafka header, else the event's own {@code sourceId}; null when neither is there. */
    public String sourceId() {
        return sourceId;
    }

    /** Size of the event as received, in bytes (the 32 KB limit applies to this). */
    public int serializedSize() {
        return serializedSize;
    }

    /** The {@code integrations} object, or a missing node. */
    public JsonNode integrations() {
        return json.path("integrations");
    }

    /** The {@code _metadata} object, or a missing node. */
    public JsonNode metadata() {
        return json.path("_metadata");
    }
}
