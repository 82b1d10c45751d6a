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
import dev.outflow.schemas.delivery.ParkedBatch;
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
import static org.assertj.core.api.Assertions.tuple;

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
              - id: sharded
                type: webhook
                endpoint: https://sharded.example/in
                batching: {maxEvents: 10, shards: 3}
              - id: lists
                type: webhook
                endpoint: https://lists.example/in
                batching: {mode: bulk, maxEvents: 1000}
                delivery: {retry: {window: 1h, initialWait: 10s, maxWait: 1m}}
              - id: ads
                type: actions
                subscriptions:
                  - name: Sync Audience
                    subscribe: 'type = "identify"'
                    mapping: {id: {"@path": "$.userId"}}
                    action: {url: "https://ads.example/audience"}
                    batching: {mode: bulk, maxEvents: 2000}
                  - name: Conversions
                    subscribe: 'type = "track"'
                    mapping: {id: {"@path": "$.userId"}}
                    action: {url: "https://ads.example/conversions"}
                    batching: {maxEvents: 100}
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
    void aDeliveredBatchIsOneLogLineListingEveryEvent() throws Exception {
        harness.processElement(new StreamRecord<>(
                new DeliveryAttempt(BATCH, AttemptOutcome.DELIVERED, 202, null, 1, NOW - 30, 30)));

        assertThat(harness.extractOutputValues()).containsExactly(
                new DeliveryLogRecord("crm", DeliveryStatus.DELIVERED, null, 202, NOW, List.of(
                        new DeliveryLogRecord.Event("m1", 1, 800, "events/0/7"),
                        new DeliveryLogRecord.Event("m2", 1, 800, "events/0/8"))));
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

        assertThat(harness.extractOutputValues()).extracting(DeliveryLogRecord::messageIds, DeliveryLogRecord::status,
                        DeliveryLogRecord::reason, DeliveryLogRecord::httpStatus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(List.of("m1"), DeliveryStatus.DEAD_LETTERED,
                                "permanent: http 400", 400),
                        org.assertj.core.groups.Tuple.tuple(List.of("m2"), DeliveryStatus.DEAD_LETTERED,
                                "permanent: http 400", 400));
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
    void aRetryableFailureIsHandedBackForARetryAfterAJitteredBackoff() throws Exception {
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0,
                "timeout: no response within 10000 ms", 1, NOW - 10_000, 10_000)));

        assertThat(deadLetters()).isEmpty();
        assertThat(harness.extractOutputValues()).as("not final yet: no delivery-log line").isEmpty();
        assertThat(retries()).singleElement().satisfies(parked -> {
            assertThat(parked.routeKey()).isEqualTo("crm#0");
            assertThat(parked.keepTogether()).isFalse();
            assertThat(parked.dueAt()).as("1 s initial wait, jittered by ±50%").isBetween(NOW + 500, NOW + 1_500);
            assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("m1", "m2");
            assertThat(parked.events()).allSatisfy(event -> {
                assertThat(event.attempts()).isEqualTo(1);
                assertThat(event.firstAttemptAt()).isEqualTo(NOW - 10_000);
                assertThat(event.lastAttempt())
                        .isEqualTo(new AttemptRecord(NOW - 10_000, 0, "timeout: no response within 10000 ms", 10_000));
            });
        });
        assertThat(metrics.count("crm.failed")).isEqualTo(1);
        assertThat(metrics.count("crm.retried")).isEqualTo(2);
        assertThat(metrics.count("crm.firstAttempts")).isEqualTo(2);
        assertThat(metrics.count("crm.firstAttemptsDelivered")).isZero();
        assertThat(metrics.count("crm.deadLettered")).isZero();
    }

    @Test
    void eventsWithDifferentAttemptCountsGetTheirOwnBackoff() throws Exception {
        RoutedEvent triedTwice = FIRST.withAttempt(new AttemptRecord(NOW - 9_000, 503, "http 503", 5))
                .withAttempt(new AttemptRecord(NOW - 6_000, 503, "http 503", 5));
        DeliveryBatch mixed = new DeliveryBatch("crm", 0, new RoutedEvent[] {triedTwice, SECOND}, 40, NOW);

        harness.processElement(new StreamRecord<>(
                new DeliveryAttempt(mixed, AttemptOutcome.RETRYABLE, 503, "http 503", 3, NOW - 20, 20)));

        assertThat(retries()).hasSize(2);
        assertThat(retries().get(0).events()).extracting(RoutedEvent::messageId).containsExactly("m2");
        assertThat(retries().get(0).dueAt()).isBetween(NOW + 500, NOW + 1_500);
        assertThat(retries().get(1).events()).extracting(RoutedEvent::attempts).containsExactly(3);
        assertThat(retries().get(1).dueAt()).as("third failure: 4 s, jittered").isBetween(NOW + 2_000, NOW + 6_000);
        assertThat(metrics.count("crm.firstAttempts")).as("only m2 had its first attempt").isEqualTo(1);
    }

    @Test
    void aRetryAfterLaterThanTheBackoffDecidesWhenTheRetryIsDue() throws Exception {
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 429,
                "http 429", 1, NOW - 20, 20, NOW + 120_000, new int[0])));

        assertThat(retries()).singleElement().extracting(ParkedBatch::dueAt).isEqualTo(NOW + 120_000);
    }

    @Test
    void anEventWhoseWindowHasEndedIsDeadLetteredWithItsWholeHistory() throws Exception {
        RoutedEvent old = FIRST;
        for (int i = 0; i < 9; i++) {
            old = old.withAttempt(new AttemptRecord(NOW - 4 * 3_600_000L + i * 1_000_000L, 503, "http 503", 7));
        }
        DeliveryBatch batch = new DeliveryBatch("crm", 0, new RoutedEvent[] {old, SECOND}, 40, NOW);

        harness.processElement(new StreamRecord<>(
                new DeliveryAttempt(batch, AttemptOutcome.RETRYABLE, 503, "http 503", 10, NOW - 20, 20)));

        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.messageId()).isEqualTo("m1");
            assertThat(letter.retryable()).isTrue();
            assertThat(letter.reason()).isEqualTo("retryable: retry window of 4h expired after 10 attempts, last: http 503");
            assertThat(letter.attempts()).hasSize(10);
            assertThat(letter.attempts()[9]).isEqualTo(new AttemptRecord(NOW - 20, 503, "http 503", 20));
            assertThat(letter.lastStatus()).isEqualTo(503);
        });
        assertThat(harness.extractOutputValues()).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(DeliveryStatus.DEAD_LETTERED);
            assertThat(record.events()).singleElement().extracting(DeliveryLogRecord.Event::attempts).isEqualTo(10);
        });
        assertThat(retries()).singleElement().satisfies(parked ->
                assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("m2"));
        assertThat(metrics.count("crm.retryWindowExpired")).isEqualTo(1);
    }

    @Test
    void noRetryIsDueAfterTheEndOfTheWindow() throws Exception {
        RoutedEvent late = FIRST.withAttempt(new AttemptRecord(NOW - 4 * 3_600_000L + 100, 503, "http 503", 7));
        for (int i = 0; i < 20; i++) {
            late = late.withAttempt(new AttemptRecord(NOW - 1_000, 503, "http 503", 7));
        }
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {late}, 20, NOW), AttemptOutcome.RETRYABLE, 503,
                "http 503", 22, NOW - 20, 20)));

        assertThat(retries()).singleElement().extracting(ParkedBatch::dueAt).isEqualTo(NOW + 100);
    }

    @Test
    void aFailureThatLeftTheDestinationHeldHandsItsEventsBackAsHeld() throws Exception {
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0,
                "timeout: 2000 ms", 1, NOW - 2_000, 2_000, NOW + 120_000, new int[0])));

        assertThat(retries()).singleElement().satisfies(retry -> {
            assertThat(retry.dueAt()).isEqualTo(NOW + 120_000);
            assertThat(retry.destinationHeld()).as("its batcher parks new traffic with it").isTrue();
        });
    }

    @Test
    void anAnswerThatEndsAHoldTellsEveryShardOfTheDestination() throws Exception {
        RoutedEvent event = new RoutedEvent("sharded", 1, "s1", "track", new byte[] {'{', '}'}, "events/0/9",
                ROUTED_AT);
        DeliveryBatch batch = new DeliveryBatch("sharded", 1, new RoutedEvent[] {event}, 2, NOW - 20);
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(batch, AttemptOutcome.DELIVERED, 200, null, 1,
                NOW - 20, 20, 0, new int[0]).endingHold()));

        assertThat(retries()).as("one empty resume per shard").extracting(ParkedBatch::shard, ParkedBatch::resumes)
                .containsExactly(tuple(0, true), tuple(1, true), tuple(2, true));
        assertThat(harness.extractOutputValues()).flatExtracting(DeliveryLogRecord::messageIds).containsExactly("s1");
    }

    @Test
    void aDeferredBatchComesBackUnchangedWhenTheDestinationCanTakeIt() throws Exception {
        harness.processElement(new StreamRecord<>(DeliveryAttempt.deferred(BATCH, "circuit open", NOW, NOW + 7_000)));

        assertThat(retries()).as("the whole destination is held until then").containsExactly(
                new ParkedBatch("crm", 0, new RoutedEvent[] {FIRST, SECOND}, NOW + 7_000, false, true));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).isEmpty();
        assertThat(metrics.count("crm.deferred")).isEqualTo(1);
        assertThat(metrics.count("crm.failed")).as("not an attempt").isZero();
        assertThat(metrics.count("crm.firstAttempts")).isZero();
    }

    @Test
    void batchesHeldBackByAnOpenCircuitForLongComeBackAfterAWaitAsLongAsTheirsNotAtTheNextProbe() throws Exception {
        RoutedEvent waitedTenMinutes = new RoutedEvent("crm", 0, "m9", "track", new byte[] {'{', '}'}, "events/0/9",
                NOW - 600_000);
        harness.processElement(new StreamRecord<>(DeliveryAttempt.deferred(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {waitedTenMinutes}, 2, NOW), "circuit open", NOW,
                NOW + 10_000)));
        harness.processElement(new StreamRecord<>(DeliveryAttempt.deferred(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {waitedTenMinutes}, 2, NOW), "retry-after", NOW,
                NOW + 10_000)));

        assertThat(retries()).extracting(ParkedBatch::dueAt).satisfiesExactly(
                due -> assertThat(due).as("the 10 min maxWait, jittered").isBetween(NOW + 300_000, NOW + 900_000),
                due -> assertThat(due).as("a Retry-After is kept to the millisecond").isEqualTo(NOW + 10_000));
        assertThat(retries()).allSatisfy(parked -> assertThat(parked.destinationHeld()).isTrue());
    }

    @Test
    void aBatchDeferredForAFullBacklogHoldsTheDestinationUntilItAnswers() throws Exception {
        harness.processElement(new StreamRecord<>(DeliveryAttempt.deferred(BATCH,
                "saturated: 4 requests in flight and 8 waiting", NOW, NOW + 1_000)));

        assertThat(retries()).singleElement().satisfies(parked -> {
            assertThat(parked.dueAt()).isEqualTo(NOW + 1_000);
            assertThat(parked.destinationHeld()).as("its batcher parks new traffic until an answer resumes it")
                    .isTrue();
        });
    }

    @Test
    void eventsHeldBackPastTheirWindowAreDeadLetteredNotParkedAgain() throws Exception {
        RoutedEvent tried = FIRST.withAttempt(new AttemptRecord(NOW - 4 * 3_600_000L, 503, "http 503", 5));
        RoutedEvent neverSent = new RoutedEvent("crm", 0, "m0", "track", new byte[] {'{', '}'}, "events/0/3",
                NOW - 4 * 3_600_000L - 1);
        DeliveryBatch batch = new DeliveryBatch("crm", 0, new RoutedEvent[] {tried, neverSent, SECOND}, 60, NOW);

        harness.processElement(new StreamRecord<>(DeliveryAttempt.deferred(batch, "circuit open", NOW, NOW + 5_000)));

        assertThat(deadLetters()).extracting(DeadLetter::messageId, DeadLetter::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("m1",
                        "retryable: retry window of 4h expired after 1 attempt, last: http 503; held back: circuit open"),
                org.assertj.core.groups.Tuple.tuple("m0",
                        "retryable: retry window of 4h expired after 0 attempts, last: never sent; held back: circuit open"));
        assertThat(retries()).singleElement().satisfies(parked ->
                assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("m2"));
        assertThat(metrics.count("crm.retryWindowExpired")).isEqualTo(2);
    }

    @Test
    void aPartialResponseDeliversRetriesAndRefusesEachItemByItsOwnStatus() throws Exception {
        RoutedEvent third = event("m3", 9);
        DeliveryBatch batch = new DeliveryBatch("crm", 0, new RoutedEvent[] {FIRST, SECOND, third}, 60, NOW);

        harness.processElement(new StreamRecord<>(new DeliveryAttempt(batch, AttemptOutcome.PARTIAL, 207,
                "http 207: 2 of 3 items failed", 1, NOW - 20, 20, 0, new int[] {200, 503, 400})));

        assertThat(harness.extractOutputValues()).extracting(DeliveryLogRecord::messageIds, DeliveryLogRecord::status,
                        DeliveryLogRecord::httpStatus)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(List.of("m1"), DeliveryStatus.DELIVERED, 200),
                        org.assertj.core.groups.Tuple.tuple(List.of("m3"), DeliveryStatus.DEAD_LETTERED, 400));
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo("permanent: http 400 (item of a 207)");
            assertThat(letter.retryable()).isFalse();
        });
        assertThat(retries()).singleElement().satisfies(parked -> {
            assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("m2");
            assertThat(parked.events()[0].lastAttempt().status()).isEqualTo(503);
        });
        assertThat(metrics.count("crm.firstAttemptsDelivered")).isEqualTo(1);
    }

    @Test
    void aBulkDestinationKeepsItsEventsTogetherAcrossRetries() throws Exception {
        RoutedEvent a = new RoutedEvent("lists", 0, "a", "identify", new byte[] {'{', '}'}, "events/0/1", ROUTED_AT);
        RoutedEvent b = new RoutedEvent("lists", 0, "b", "identify", new byte[] {'{', '}'}, "events/0/2", ROUTED_AT);

        harness.processElement(new StreamRecord<>(new DeliveryAttempt(
                new DeliveryBatch("lists", 0, new RoutedEvent[] {a, b}, 4, NOW), AttemptOutcome.RETRYABLE, 500,
                "http 500", 1, NOW - 20, 20)));

        assertThat(retries()).singleElement().satisfies(parked -> {
            assertThat(parked.keepTogether()).isTrue();
            assertThat(parked.dueAt()).as("this destination's 10 s initial wait").isBetween(NOW + 5_000, NOW + 15_000);
            assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("a", "b");
        });
    }

    @Test
    void eachSubscriptionOfAnActionsDestinationRetriesInItsOwnBatchingMode() throws Exception {
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(batchOf("ads/sync-audience", "a", "b"),
                AttemptOutcome.RETRYABLE, 503, "http 503", 1, NOW - 20, 20)));
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(batchOf("ads/conversions", "c", "d"),
                AttemptOutcome.RETRYABLE, 503, "http 503", 1, NOW - 20, 20)));

        assertThat(retries()).hasSize(2);
        assertThat(retries().get(0)).satisfies(parked -> {
            assertThat(parked.destinationId()).isEqualTo("ads/sync-audience");
            assertThat(parked.keepTogether()).as("bulk: the same events on the next attempt").isTrue();
            assertThat(parked.events()).extracting(RoutedEvent::messageId).containsExactly("a", "b");
        });
        assertThat(retries().get(1)).satisfies(parked -> {
            assertThat(parked.destinationId()).isEqualTo("ads/conversions");
            assertThat(parked.keepTogether()).as("stream: retried events rejoin new traffic").isFalse();
        });
    }

    @Test
    void aDeliveryAfterRetriesCountsItsAttemptsAndRetryAge() throws Exception {
        RoutedEvent retried = FIRST.withAttempt(new AttemptRecord(NOW - 60_000, 503, "http 503", 5));
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {retried}, 20, NOW), AttemptOutcome.DELIVERED, 200,
                null, 2, NOW - 10, 10)));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(record -> {
            assertThat(record.status()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(record.events()).singleElement().extracting(DeliveryLogRecord.Event::attempts).isEqualTo(2);
        });
        assertThat(metrics.histogram("crm.retryAgeMs").getStatistics().getMax()).isEqualTo(60_000);
        assertThat(metrics.count("crm.firstAttempts")).isZero();
    }

    @Test
    void latencyIsNeverNegative() throws Exception {
        RoutedEvent fromTheFuture = new RoutedEvent("crm", 0, "m9", "track", "{}".getBytes(StandardCharsets.UTF_8),
                "events/0/9", NOW + 5_000);
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(
                new DeliveryBatch("crm", 0, new RoutedEvent[] {fromTheFuture}, 2, NOW), AttemptOutcome.DELIVERED,
                200, null, 1, NOW, 1)));

        assertThat(harness.extractOutputValues()).singleElement().extracting(DeliveryLogRecord::events)
                .satisfies(events -> assertThat(events).singleElement()
                        .extracting(DeliveryLogRecord.Event::latencyMs).isEqualTo(0L));
    }

    @Test
    void noSecretHeaderValueReachesTheOutputTopics() throws Exception {
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, outcome, 503,
                    outcome == AttemptOutcome.DELIVERED ? null : "http 503", 1, NOW, 3, 0, new int[] {200, 400})));
        }
        harness.processElement(new StreamRecord<>(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 503,
                "http 503", 1, NOW - 5 * 3_600_000L, 3)));

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

    private List<ParkedBatch> retries() {
        var records = harness.getSideOutput(OutputTags.RETRIES);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
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

    private static DeliveryBatch batchOf(String routeId, String... messageIds) {
        RoutedEvent[] events = new RoutedEvent[messageIds.length];
        for (int i = 0; i < messageIds.length; i++) {
            events[i] = new RoutedEvent(routeId, 0, messageIds[i], "identify", new byte[] {'{', '}'},
                    "events/0/" + i, ROUTED_AT);
        }
        return new DeliveryBatch(routeId, 0, events, 2 * messageIds.length, NOW);
    }
}
