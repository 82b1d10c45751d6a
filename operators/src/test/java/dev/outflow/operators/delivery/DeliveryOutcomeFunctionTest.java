package dev.outflow.operators.delivery;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.RecordingMetrics;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.AttemptRecord;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.kafka.DeadLetterSerializationSchema;
import dev.outflow.schemas.kafka.DeliveryLogSerializationSchema;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each attempt outcome lands in the delivery log, the dead letters and the metrics as Segment would count it. */
class DeliveryOutcomeFunctionTest {

    private static final long NOW = 50_000L;
    private static final long ROUTED_AT = 49_200L;

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                type: webhook
                endpoint: https://crm.example/in
                headers: {Authorization: "Bearer ${env:TEST_TOKEN}"}
                batching: {maxEvents: 10}
            """);

    private static final RoutedEvent FIRST = event("m1", 7);
    private static final RoutedEvent SECOND = event("m2", 8);
    private static final DeliveryBatch BATCH =
            new DeliveryBatch("crm", 0, new RoutedEvent[] {FIRST, SECOND}, 40, ROUTED_AT + 100);

    private final RecordingMetrics metrics = new RecordingMetrics();
    private MockEnvironment environment;
    private OneInputStreamOperatorTestHarness<DeliveryAttempt, DeliveryLogRecord> harness;

    @BeforeEach
    void openHarness() throws Exception {
        environment = new MockEnvironmentBuilder().setMetricGroup(metrics.taskGroup()).build();
        harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new DeliveryOutcomeFunction(CATALOG)), environment);
        harness.open();
        harness.setProcessingTime(NOW);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
        environment.close();
    }

    @Test
    void aDeliveredBatchLogsEveryEventAsDelivered() throws Exception {
        harness.processElement(new StreamRecord<>(
                new DeliveryAttempt(BATCH, AttemptOutcome.DELIVERED, 202, null, 1, NOW - 30, 30)));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryLogRecord("m1", "crm", DeliveryStatus.DELIVERED, null, 202, 1, 800, NOW, "events/0/7"),
                new DeliveryLogRecord("m2", "crm", DeliveryStatus.DELIVERED, null, 202, 1, 800, NOW, "events/0/8"));
        assertThat(deadLetters()).isEmpty();
        assertThat(metrics.count("crm.delivered")).isEqualTo(2);
        assertThat(metrics.count("crm.failed")).isZero();
        assertThat(metrics.count("crm.deadLettered")).isZero();
        assertThat(metrics.histogram("crm.deliveryLatencyMs").getCount()).isEqualTo(2);
        assertThat(metrics.histogram("crm.deliveryLatencyMs").getStatistics().getMax()).isEqualTo(800);
    }

    @Test
    void aPermanentFailureDeadLettersEveryEventAsNotRetryable() throws Exception {
        harness.processElement(new StreamRecord<>(
                new DeliveryAttempt(BATCH, AttemptOutcome.PERMANENT, 400, "http 400", 1, NOW - 30, 30)));

        assertThat(harness.extractOutputValues()).extracting(DeliveryLogRecord::messageId, DeliveryLogRecord::status,
                        DeliveryLogRecord::reason, DeliveryLogRecord::httpStatus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("m1", DeliveryStatus.DEAD_LETTERED, "permanent: http 400", 400),
                        org.assertj.core.groups.Tuple.tuple("m2", DeliveryStatus.DEAD_LETTERED, "permanent: http 400", 400));
        assertThat(deadLetters()).hasSize(2).allSatisfy(letter -> {
            assertThat(letter.kind()).isEqualTo(DeadLetter.UNDELIVERABLE);
            assertThat(letter.retryable()).isFalse();
            assertThat(letter.reason()).isEqualTo("permanent: http 400");
            assertThat(letter.destinationId()).isEqualTo("crm");
            assertThat(letter.lastStatus()).isEqualTo(400);
            assertThat(letter.attempts()).containsExactly(new AttemptRecord(NOW - 30, 400, "http 400", 30));
            assertThat(letter.deadLetteredAt()).isEqualTo(NOW);
            assertThat(letter.topic()).isEqualTo("events");
        });
        assertThat(deadLetters()).extracting(DeadLetter::messageId, DeadLetter::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", 7L),
                        org.assertj.core.groups.Tuple.tuple("m2", 8L));
        assertThat(deadLetters().get(0).payload()).isEqualTo(new String(FIRST.payload(), StandardCharsets.UTF_8));
        assertThat(metrics.count("crm.failed")).isEqualTo(1);
        assertThat(metrics.count("crm.deadLettered")).isEqualTo(2);
        assertThat(metrics.count("crm.delivered")).isZero();
    }

    @Test
    void aRetryableFailureIsDeadLetteredMarkedRetryable() throws Exception {
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0,
                "timeout: no response within 10000 ms", 1, NOW - 10_000, 10_000)));

        assertThat(deadLetters()).hasSize(2).allSatisfy(letter -> {
            assertThat(letter.retryable()).isTrue();
            assertThat(letter.reason()).isEqualTo("retryable: timeout: no response within 10000 ms");
            assertThat(letter.lastStatus()).isZero();
        });
        assertThat(harness.extractOutputValues()).extracting(DeliveryLogRecord::status)
                .containsOnly(DeliveryStatus.DEAD_LETTERED);
        assertThat(metrics.count("crm.failed")).isEqualTo(1);
        assertThat(metrics.count("crm.deadLettered")).isEqualTo(2);
    }

    @Test
    void latencyIsNeverNegative() throws Exception {
        RoutedEvent fromTheFuture = new RoutedEvent("crm", 0, "m9", "track", "{}".getBytes(StandardCharsets.UTF_8),
                "events/0/9", NOW + 5_000);
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {fromTheFuture}, 2, NOW), AttemptOutcome.DELIVERED,
                200, null, 1, NOW, 1)));

        assertThat(harness.extractOutputValues()).singleElement()
                .extracting(DeliveryLogRecord::latencyMs).isEqualTo(0L);
    }

    @Test
    void noSecretHeaderValueReachesTheOutputTopics() throws Exception {
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, outcome, 503,
                    outcome == AttemptOutcome.DELIVERED ? null : "http 503", 1, NOW, 3)));
        }

        DeliveryLogSerializationSchema log = new DeliveryLogSerializationSchema("delivery-log");
        DeadLetterSerializationSchema dead = new DeadLetterSerializationSchema("dead-letters");
        StringBuilder written = new StringBuilder();
        harness.extractOutputValues().forEach(record ->
                written.append(new String(log.serialize(record, null, null).value(), StandardCharsets.UTF_8)));
        deadLetters().forEach(letter ->
                written.append(new String(dead.serialize(letter, null, null).value(), StandardCharsets.UTF_8)));

        assertThat(CATALOG.get("crm").headers().get("Authorization")).contains(Catalogs.TEST_TOKEN);
        assertThat(written).isNotEmpty().doesNotContain(Catalogs.TEST_TOKEN);
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(OutputTags.DEAD_LETTERS);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static RoutedEvent event(String messageId, long offset) {
        return new RoutedEvent("crm", 0, messageId, "track",
                ("{\"type\":\"track\",\"messageId\":\"" + messageId + "\"}").getBytes(StandardCharsets.UTF_8),
                "events/0/" + offset, ROUTED_AT);
    }
}
