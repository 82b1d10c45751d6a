package dev.outflow.schemas.kafka;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.InvalidEvent;
import dev.outflow.schemas.event.InvalidReason;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema.KafkaSinkContext;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job's Kafka serdes: JSON that reads back into the same record, sensible keys, and nothing secret. */
class JsonRecordSerializationSchemaTest {

    private static final String TOKEN = "s3cr3t-token-value";
    private static final KafkaSinkContext CONTEXT = new FixedSinkContext();

    /** A destination whose Authorization header came from the environment, as in production. */
    private static final DestinationConfig SECRET_DESTINATION = new CatalogLoader(Map.of("TOKEN", TOKEN)::get)
            .parse("catalog.yaml", """
                    destinations:
                      - id: crm
                        type: webhook
                        endpoint: https://crm.example/in
                        headers: {Authorization: "Bearer ${env:TOKEN}", X-Api-Key: "${env:TOKEN}"}
                    """, false)
            .get("crm");

    private static final RoutedEvent EVENT = new RoutedEvent(SECRET_DESTINATION.id(), 0, "m1", "track",
            "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}".getBytes(StandardCharsets.UTF_8), "events/0/5",
            100L);

    @Test
    void deliveryLogLinesRoundTripAsJsonKeyedByDestination() {
        DeliveryLogRecord record = new DeliveryLogRecord("crm", DeliveryStatus.DELIVERED, null, 200, 9_000L,
                List.of(new DeliveryLogRecord.Event("m1", 1, 12, "events/0/5"),
                        new DeliveryLogRecord.Event("m2", 2, 2_012, "events/1/8")));

        ProducerRecord<byte[], byte[]> produced =
                new DeliveryLogSerializationSchema("delivery-log").serialize(record, CONTEXT, 9_001L);

        assertThat(produced.topic()).isEqualTo("delivery-log");
        assertThat(produced.timestamp()).isEqualTo(9_001L);
        assertThat(produced.partition()).isNull();
        assertThat(text(produced.key())).isEqualTo("crm");
        assertThat(read(produced.value(), DeliveryLogRecord.class)).isEqualTo(record);
        assertThat(fieldNames(produced.value())).containsExactlyInAnyOrder("destinationId", "status", "httpStatus",
                "at", "events");
    }

    @Test
    void filteredRecordsCarryTheirRule() {
        DeliveryLogRecord record = DeliveryLogRecord.filtered("m1", "crm", "source_not_allowed", 9_000L, "events/0/5");

        JsonNode json = Json.readTree(
                new DeliveryLogSerializationSchema("delivery-log").serialize(record, CONTEXT, null).value());

        assertThat(json.path("status").asText()).isEqualTo("FILTERED");
        assertThat(json.path("reason").asText()).isEqualTo("source_not_allowed");
    }

    @Test
    void undeliverableDeadLettersRoundTripKeyedByMessageId() {
        DeadLetter letter = DeadLetter.undeliverable(EVENT, "permanent: http 401", false,
                new AttemptRecord[] {new AttemptRecord(1_000L, 401, "http 401", 30)}, 2_000L);

        ProducerRecord<byte[], byte[]> produced =
                new DeadLetterSerializationSchema("dead-letters").serialize(letter, CONTEXT, 2_000L);

        assertThat(produced.topic()).isEqualTo("dead-letters");
        assertThat(text(produced.key())).isEqualTo("m1");
        assertThat(read(produced.value(), DeadLetter.class)).isEqualTo(letter);
        assertThat(Json.readTree(produced.value()).path("attempts").get(0).path("status").asInt()).isEqualTo(401);
    }

    @Test
    void malformedDeadLettersAreKeyedByTheirKafkaAddress() {
        RawEvent input = new RawEvent("events", 4, 77, 0, null, "not json".getBytes(StandardCharsets.UTF_8));
        DeadLetter letter = DeadLetter.malformed(input,
                new InvalidEvent(InvalidReason.NOT_JSON, "not valid JSON", -1, input.value()), 2_000L);

        ProducerRecord<byte[], byte[]> produced =
                new DeadLetterSerializationSchema("dead-letters").serialize(letter, CONTEXT, null);

        assertThat(text(produced.key())).isEqualTo("events/4/77");
        assertThat(read(produced.value(), DeadLetter.class)).isEqualTo(letter);
        assertThat(Json.readTree(produced.value()).path("payload").asText()).isEqualTo("not json");
    }

    @Test
    void parkedBatchesGoToTheRetryTopicKeyedByRouteKeyAndReadBack() {
        ParkedBatch parked = new ParkedBatch(SECRET_DESTINATION.id(), 2, new RoutedEvent[] {
            EVENT.withAttempt(new AttemptRecord(1_000L, 503, "http 503", 30))}, 9_000L, false);

        ProducerRecord<byte[], byte[]> produced =
                new ParkedBatchSerializationSchema("retries").serialize(parked, CONTEXT, null);
        List<ParkedBatch> readBack = new ArrayList<>();
        new ParkedBatchDeserializationSchema().deserialize(
                new ConsumerRecord<>("retries", 0, 3L, produced.key(), produced.value()), collector(readBack));

        assertThat(produced.topic()).isEqualTo("retries");
        assertThat(text(produced.key())).isEqualTo("crm#2");
        assertThat(readBack).containsExactly(parked);
        assertThat(text(produced.value())).doesNotContain(TOKEN);
    }

    @Test
    void aRetryRecordThatCannotBeHandedOnFailsTheReadInsteadOfBeingSkipped() {
        byte[] value = RetryRecordFormat.write(new ParkedBatch("crm", 1, new RoutedEvent[] {EVENT}, 9_000L, false));
        Collector<ParkedBatch> shuttingDown = new Collector<>() {
            @Override
            public void collect(ParkedBatch record) {
                throw new IllegalStateException("Could not forward element to next operator");
            }

            @Override
            public void close() {}
        };

        assertThatThrownBy(() -> new ParkedBatchDeserializationSchema().deserialize(
                new ConsumerRecord<>("retries", 0, 3L, null, value), shuttingDown))
                .hasMessageContaining("Could not forward");
    }

    @Test
    void deliveryLogRecordsAreWrittenExactlyAsDataBindingWritesThem() {
        List<DeliveryLogRecord> records = List.of(
                new DeliveryLogRecord("crm", DeliveryStatus.DELIVERED, null, 200, 1_700_000_000_000L,
                        List.of(new DeliveryLogRecord.Event("m1", 1, 35, "events/0/42"),
                                new DeliveryLogRecord.Event("m0", 4, 9_035, "events/1/3"))),
                DeliveryLogRecord.of("m\"2\u00e9\u2028", null, DeliveryStatus.DEAD_LETTERED,
                        "malformed: not JSON \"quoted\" \n", 0, 0, 0, 5L, null),
                DeliveryLogRecord.filtered("m3", "warehouse", "duplicate_message_id", 9L, "events/1/7"),
                // ids JSON escapes (backslash, control characters) or leaves as they are (DEL, non-ASCII, brackets)
                new DeliveryLogRecord("crm", DeliveryStatus.DELIVERED, null, 200, 2L,
                        List.of(new DeliveryLogRecord.Event("a\\b", 1, 1, "t\u00f6pic/0/1"),
                                new DeliveryLogRecord.Event("tab\tand\u0001", 1, 1, "events/0/2"),
                                new DeliveryLogRecord.Event("del\u007f", 1, 1, "events/0/3"),
                                new DeliveryLogRecord.Event("plain-id_~ {}[]:,", 1, 1, "events/0/4"))));
        DeliveryLogSerializationSchema schema = new DeliveryLogSerializationSchema("log");

        for (DeliveryLogRecord record : records) {
            assertThat(new String(schema.serialize(record, null, 1L).value(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(Json.toBytes(record), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aResumeTravelsTheRetryTopicAsAnEmptyBatch() throws Exception {
        ParkedBatch resume = ParkedBatch.resume("crm", 2, 9_000L);

        ParkedBatch readBack = RetryRecordFormat.read(RetryRecordFormat.write(resume));

        assertThat(readBack).isEqualTo(resume);
        assertThat(readBack.resumes()).isTrue();
    }

    @Test
    void retryRecordsWrittenAsJsonByEarlierVersionsAreStillRead() {
        ParkedBatch parked = new ParkedBatch("crm", 1, new RoutedEvent[] {
            EVENT.withAttempt(new AttemptRecord(1_000L, 503, "http 503", 30))}, 9_000L, true);
        List<ParkedBatch> readBack = new ArrayList<>();

        new ParkedBatchDeserializationSchema().deserialize(
                new ConsumerRecord<>("retries", 0, 3L, null, Json.toBytes(parked)), collector(readBack));

        assertThat(readBack).containsExactly(parked);
    }

    @Test
    void retryRecordsKeepWhetherTheDestinationIsHeldAndVersionOneRecordsAreStillRead() throws Exception {
        ParkedBatch held = new ParkedBatch("crm", 1, new RoutedEvent[] {EVENT}, 9_000L, false, true);
        assertThat(RetryRecordFormat.read(RetryRecordFormat.write(held))).isEqualTo(held);

        // version 1 had no destinationHeld byte after keepTogether
        byte[] current = RetryRecordFormat.write(new ParkedBatch("crm", 1, new RoutedEvent[] {EVENT}, 9_000L, true));
        int flagAt = 2 + 2 + "crm".length() + 4 + 8 + 1;
        byte[] versionOne = new byte[current.length - 1];
        System.arraycopy(current, 0, versionOne, 0, flagAt);
        System.arraycopy(current, flagAt + 1, versionOne, flagAt, current.length - flagAt - 1);
        versionOne[1] = 1;

        assertThat(RetryRecordFormat.read(versionOne))
                .isEqualTo(new ParkedBatch("crm", 1, new RoutedEvent[] {EVENT}, 9_000L, true, false));
    }

    @Test
    void unreadableRetryRecordsAreSkippedNotFatal() {
        byte[] binary = RetryRecordFormat.write(new ParkedBatch("crm", 0, new RoutedEvent[] {EVENT}, 9_000L, false));
        byte[] newerVersion = binary.clone();
        newerVersion[1] = 9;
        byte[] truncated = java.util.Arrays.copyOf(binary, binary.length - 5);
        List<ParkedBatch> readBack = new ArrayList<>();

        for (byte[] value : List.of("{not json".getBytes(StandardCharsets.UTF_8), newerVersion, truncated,
                "plain text".getBytes(StandardCharsets.UTF_8), new byte[0])) {
            new ParkedBatchDeserializationSchema().deserialize(new ConsumerRecord<>("retries", 0, 4L, null, value),
                    collector(readBack));
        }

        assertThat(readBack).isEmpty();
    }

    private static <T> Collector<T> collector(List<T> into) {
        return new Collector<>() {
            @Override
            public void collect(T record) {
                into.add(record);
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void noSecretHeaderValueReachesEitherTopic() {
        DeadLetter letter = DeadLetter.undeliverable(EVENT, "retryable: http 503", true,
                new AttemptRecord[] {new AttemptRecord(1_000L, 503, "http 503", 30)}, 2_000L);
        DeliveryLogRecord record = DeliveryLogRecord.of("m1", SECRET_DESTINATION.id(), DeliveryStatus.DEAD_LETTERED,
                letter.reason(), 503, 1, 40, 2_000L, EVENT.origin());

        String deadLetterJson = text(new DeadLetterSerializationSchema("d").serialize(letter, CONTEXT, null).value());
        String logJson = text(new DeliveryLogSerializationSchema("l").serialize(record, CONTEXT, null).value());

        assertThat(SECRET_DESTINATION.headers()).containsValue("Bearer " + TOKEN);
        assertThat(deadLetterJson).doesNotContain(TOKEN).doesNotContainIgnoringCase("authorization");
        assertThat(logJson).doesNotContain(TOKEN).doesNotContainIgnoringCase("authorization");
    }

    @Test
    void rawEventsKeepTheRecordAsIsAndTakeTheSourceIdFromTheHeader() {
        RawEventDeserializationSchema schema =
                new RawEventDeserializationSchema(RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER);
        RecordHeaders headers = new RecordHeaders();
        headers.add("source-id", "old".getBytes(StandardCharsets.UTF_8));
        headers.add("source-id", "web".getBytes(StandardCharsets.UTF_8));
        byte[] value = {(byte) 0xff, 0x01};

        List<RawEvent> out = new ArrayList<>();
        schema.deserialize(record(headers, value), new ListCollector<>(out));
        schema.deserialize(record(new RecordHeaders(), null), new ListCollector<>(out));

        assertThat(out).containsExactly(
                new RawEvent("events", 2, 10, 1_234L, "web", value),
                new RawEvent("events", 2, 10, 1_234L, null, new byte[0]));
        assertThat(schema.getProducedType().getTypeClass()).isEqualTo(RawEvent.class);
    }

    private static ConsumerRecord<byte[], byte[]> record(RecordHeaders headers, byte[] value) {
        return new ConsumerRecord<>("events", 2, 10, 1_234L, TimestampType.CREATE_TIME, 0,
                value == null ? 0 : value.length, null, value, headers, Optional.empty());
    }

    private static <T> T read(byte[] json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> fieldNames(byte[] json) {
        List<String> names = new ArrayList<>();
        Json.readTree(json).fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The schemas never ask for partitions; a fixed single-subtask context is enough. */
    private static final class FixedSinkContext implements KafkaSinkContext {
        @Override
        public int getParallelInstanceId() {
            return 0;
        }

        @Override
        public int getNumberOfParallelInstances() {
            return 1;
        }

        @Override
        public int[] getPartitionsForTopic(String topic) {
            return new int[] {0};
        }
    }
}
