package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.event.Json;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the job's outputs back from Kafka, the delivery log and the dead-letter topic, and counts where every
 * (event, destination) pair ended up. Records are counted once by key, so an at-least-once replay of an output
 * does not inflate a count. Used by the demo, the benchmarks and the integration tests.
 *
 * <p>Not thread-safe: one thread polls, then reads {@link #snapshot()}.
 */
public final class DeliveryAccounting implements AutoCloseable {

    /** Counts for one destination. */
    public record DestinationCounts(long delivered, long filtered, long deadLettered, long deadLetteredRetryable,
            Map<String, Long> filteredByRule, Map<String, Long> deadLetterReasons) {}

    /** Everything counted so far. */
    public record Snapshot(Map<String, DestinationCounts> destinations, long malformed, long undeliverableLetters,
            long records) {

        public long delivered() {
            return destinations.values().stream().mapToLong(DestinationCounts::delivered).sum();
        }

        public long filtered() {
            return destinations.values().stream().mapToLong(DestinationCounts::filtered).sum();
        }

        /** Dead-lettered pairs plus malformed input (which was dead-lettered once, for no destination). */
        public long deadLettered() {
            return destinations.values().stream().mapToLong(DestinationCounts::deadLettered).sum() + malformed;
        }

        /** Pairs accounted for, malformed input counted once. */
        public long accounted() {
            return delivered() + filtered() + deadLettered();
        }

        /** True when every dead-lettered pair in the delivery log has its dead letter read too. */
        public boolean deadLettersCaughtUp() {
            return undeliverableLetters >= destinations.values().stream().mapToLong(DestinationCounts::deadLettered).sum();
        }

        /**
         * Pairs that should exist after {@code inputEvents} events: every valid event once per destination, every
         * malformed one once.
         */
        public long expected(long inputEvents, int destinationCount) {
            return (inputEvents - malformed) * destinationCount + malformed;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String deliveryLogTopic;
    private final Map<String, Set<String>> deliveredIds = new HashMap<>();
    private final Map<String, Set<String>> filteredIds = new HashMap<>();
    private final Map<String, Set<String>> deadIds = new HashMap<>();
    private final Map<String, Set<String>> retryableDeadIds = new HashMap<>();
    private final Map<String, Map<String, Long>> filteredByRule = new HashMap<>();
    private final Map<String, Map<String, Long>> deadLetterReasons = new HashMap<>();
    private final Set<String> malformedKeys = new HashSet<>();
    private final Set<String> undeliverableLetters = new HashSet<>();
    private final List<String> destinationIds;
    private final boolean keepDetails;
    private final Map<String, String> outcomeByPair = new HashMap<>();
    private final List<JsonNode> deadLetters = new ArrayList<>();
    private final List<byte[]> rawOutputs = new ArrayList<>();
    private long records;
    private OutputListener listener = OutputListener.NONE;

    /** Sees every output record as it is read, for callers that need more than the counts (e.g. latencies). */
    public interface OutputListener {
        OutputListener NONE = new OutputListener() {};

        /**
         * One event of a delivery-log line, with the time Kafka stamped on the line: the line's fields and the
         * event's in one object ({@code destinationId, status, reason, httpStatus, at, messageId, attempts,
         * latencyMs, origin}).
         */
        default void onDeliveryLog(JsonNode event, long kafkaTimestamp) {}

        /** A dead letter, with the time Kafka stamped on it. */
        default void onDeadLetter(JsonNode record, long kafkaTimestamp) {}
    }

    public DeliveryAccounting(String bootstrapServers, String deliveryLogTopic, String deadLetterTopic,
            List<String> destinationIds) {
        this(bootstrapServers, deliveryLogTopic, deadLetterTopic, destinationIds, false);
    }

    /**
     * With {@code keepDetails}, also keeps every pair's outcome, every dead letter and the raw bytes of every
     * output record, for tests that check them one by one.
     */
    public DeliveryAccounting(String bootstrapServers, String deliveryLogTopic, String deadLetterTopic,
            List<String> destinationIds, boolean keepDetails) {
        this.deliveryLogTopic = deliveryLogTopic;
        this.destinationIds = List.copyOf(destinationIds);
        this.keepDetails = keepDetails;
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "outflow-accounting-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(deliveryLogTopic, deadLetterTopic));
    }

    public DeliveryAccounting listener(OutputListener listener) {
        this.listener = listener;
        return this;
    }

    /** Reads what arrived within {@code timeout}; returns how many records were read. */
    public int poll(Duration timeout) {
        int read = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            read++;
            records++;
            JsonNode json = Json.readTree(record.value());
            if (keepDetails) {
                rawOutputs.add(record.value());
            }
            if (record.topic().equals(deliveryLogTopic)) {
                for (JsonNode event : eventsOf(json)) {
                    countLogRecord(event);
                    listener.onDeliveryLog(event, record.timestamp());
                }
            } else {
                countDeadLetter(json);
                listener.onDeadLetter(json, record.timestamp());
            }
        }
        return read;
    }

    /** The events of a delivery-log line, each with the line's fields (see {@link OutputListener#onDeliveryLog}). */
    public static List<JsonNode> eventsOf(JsonNode line) {
        ObjectNode fields = Json.MAPPER.createObjectNode();
        line.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("events")) {
                fields.set(field.getKey(), field.getValue());
            }
        });
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode event : line.path("events")) {
            events.add(fields.deepCopy().setAll((ObjectNode) event));
        }
        return events;
    }

    private void countLogRecord(JsonNode json) {
        String destination = json.path("destinationId").asText();
        String messageId = json.path("messageId").asText();
        if (keepDetails) {
            String reason = json.path("reason").asText("");
            outcomeByPair.put(destination + "/" + messageId,
                    json.path("status").asText() + (reason.isEmpty() ? "" : ":" + reason));
        }
        switch (json.path("status").asText()) {
            case "DELIVERED" -> ids(deliveredIds, destination).add(messageId);
            case "FILTERED" -> {
                if (ids(filteredIds, destination).add(messageId)) {
                    filteredByRule.computeIfAbsent(destination, d -> new TreeMap<>())
                            .merge(json.path("reason").asText(), 1L, Long::sum);
                }
            }
            case "DEAD_LETTERED" -> ids(deadIds, destination).add(messageId);
            default -> { }
        }
    }

    private void countDeadLetter(JsonNode json) {
        if (keepDetails) {
            deadLetters.add(json);
        }
        if ("malformed".equals(json.path("kind").asText())) {
            malformedKeys.add(json.path("topic").asText() + "/" + json.path("partition").asInt() + "/"
                    + json.path("offset").asLong() + "#" + json.path("batchIndex").asInt());
            return;
        }
        String destination = json.path("destinationId").asText();
        String messageId = json.path("messageId").asText();
        if (undeliverableLetters.add(destination + "/" + messageId)) {
            deadLetterReasons.computeIfAbsent(destination, d -> new TreeMap<>())
                    .merge(json.path("reason").asText(), 1L, Long::sum);
        }
        if (json.path("retryable").asBoolean()) {
            ids(retryableDeadIds, destination).add(messageId);
        }
    }

    private static Set<String> ids(Map<String, Set<String>> byDestination, String destination) {
        return byDestination.computeIfAbsent(destination, d -> new HashSet<>());
    }

    /** {@code destination/messageId} to {@code STATUS} or {@code STATUS:reason}; needs {@code keepDetails}. */
    public Map<String, String> outcomes() {
        return Map.copyOf(outcomeByPair);
    }

    /** Every dead letter read; needs {@code keepDetails}. */
    public List<JsonNode> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** The raw bytes of every output record read; needs {@code keepDetails}. */
    public List<byte[]> rawOutputs() {
        return List.copyOf(rawOutputs);
    }

    public Snapshot snapshot() {
        Map<String, DestinationCounts> destinations = new LinkedHashMap<>();
        for (String id : destinationIds) {
            destinations.put(id, new DestinationCounts(
                    ids(deliveredIds, id).size(), ids(filteredIds, id).size(), ids(deadIds, id).size(),
                    ids(retryableDeadIds, id).size(), Map.copyOf(filteredByRule.getOrDefault(id, Map.of())),
                    Map.copyOf(deadLetterReasons.getOrDefault(id, Map.of()))));
        }
        return new Snapshot(destinations, malformedKeys.size(), undeliverableLetters.size(), records);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
