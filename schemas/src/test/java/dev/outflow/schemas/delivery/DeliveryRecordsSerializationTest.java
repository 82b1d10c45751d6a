package dev.outflow.schemas.delivery;

import dev.outflow.schemas.event.InvalidEvent;
import dev.outflow.schemas.event.InvalidReason;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static dev.outflow.schemas.testutils.FlinkSerialization.assertImmutableRoundTrip;
import static dev.outflow.schemas.testutils.FlinkSerialization.assertPojoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every delivery record that crosses an operator boundary goes through a serializer of its own ({@link RoutedEvent},
 * {@link RoutedBundle}, {@link DeliveryBatch}: the payload-carrying hot path) or Flink's POJO serializer, never Kryo.
 */
class DeliveryRecordsSerializationTest {

    private static final RoutedEvent EVENT = routed("m1", "{\"type\":\"track\",\"event\":\"Café ☕\"}");
    private static final DeliveryBatch BATCH =
            new DeliveryBatch("crm", 3, new RoutedEvent[] {EVENT, routed("m2", "{}")}, 40, 1_000L);

    @Test
    void routedEventRoundTripsWithItsPayloadBytes() {
        RoutedEvent read = assertImmutableRoundTrip(RoutedEvent.class, EVENT);

        assertThat(read.payload()).isEqualTo(EVENT.payload());
        assertThat(read.routeKey()).isEqualTo("crm#3");
    }

    @Test
    void routedEventRoundTripsWithNullOptionalFields() {
        assertImmutableRoundTrip(RoutedEvent.class, new RoutedEvent("crm", 0, "m1", null, new byte[0], null, 0));
    }

    @Test
    void routedBundleRoundTripsWithOnePayloadForThePairsThatShareIt() throws Exception {
        byte[] unchanged = bytes("{\"type\":\"track\",\"event\":\"Café ☕\"}");
        RoutedBundle bundle = new RoutedBundle(new RoutedEvent[] {
            new RoutedEvent("crm", 3, "m1", "track", unchanged, "events/1/99", 7_000L),
            new RoutedEvent("mapped", 1, "m1", "track", bytes("{\"name\":\"x\"}"), "events/1/99", 7_000L),
            new RoutedEvent("warehouse", 0, "m1", "track", unchanged, "events/1/99", 7_000L)});

        RoutedBundle read = assertImmutableRoundTrip(RoutedBundle.class, bundle);

        assertThat(read.routeKey()).isEqualTo("crm#3");
        assertThat(read.events()).extracting(RoutedEvent::routeKey).containsExactly("crm#3", "mapped#1", "warehouse#0");
        assertThat(read.events()[2].payload()).isSameAs(read.events()[0].payload()).isEqualTo(unchanged);
        assertThat(read.events()[1].payload()).isNotSameAs(read.events()[0].payload());
        DataOutputSerializer written = new DataOutputSerializer(256);
        RoutedBundleSerializer.INSTANCE.serialize(bundle, written);
        assertThat(written.length()).as("bytes written, the shared payload once")
                .isLessThan(2 * unchanged.length + 100);
        assertImmutableRoundTrip(RoutedBundle.class,
                RoutedBundle.of(new RoutedEvent("crm", 0, "m1", null, null, null, 0)));
    }

    @Test
    void aRoutedBundleHoldsFreshPairsOfOneEventOnly() {
        RoutedEvent other = routed("m2", "{}");

        assertThatThrownBy(() -> new RoutedBundle(new RoutedEvent[] {EVENT, other}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RoutedBundle(new RoutedEvent[] {
            EVENT.withAttempt(new AttemptRecord(1_000, 503, "http 503", 12))}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RoutedBundle(new RoutedEvent[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deliveryBatchRoundTripsWithItsEventsInOrder() {
        DeliveryBatch read = assertImmutableRoundTrip(DeliveryBatch.class, BATCH);

        assertThat(read.events()).extracting(RoutedEvent::messageId).containsExactly("m1", "m2");
        assertThat(read.size()).isEqualTo(2);
    }

    @Test
    void destinationIdsAndEventTypesReadBackAsOneInstanceEachWhateverTheirCharacters() {
        DeliveryBatch read = assertImmutableRoundTrip(DeliveryBatch.class, BATCH);
        assertThat(read.events()[1].destinationId()).isSameAs(read.events()[0].destinationId());
        assertThat(read.events()[1].eventType()).isSameAs(read.events()[0].eventType());

        for (int i = 0; i < 3_000; i++) {
            // more distinct ids than the cache has slots, ASCII and not: each still reads back as itself
            String id = (i % 3 == 0 ? "caf\u00e9-" : "dest-") + i;
            RoutedEvent event = new RoutedEvent(id, 0, "m" + i, i % 2 == 0 ? "track" : null, new byte[0], null, 0);
            assertThat(assertImmutableRoundTrip(RoutedEvent.class, event).destinationId()).isEqualTo(id);
        }
    }

    @Test
    void aDestinationIdWrittenAgainAndAgainAsOneInstanceOrAsCopiesReadsBackAsItself() {
        String shared = "warehouse";
        for (int i = 0; i < 3_000; i++) {
            // the writer keeps the bytes of each instance it has written: copies and other ids must not mix
            String id = switch (i % 3) {
                case 0 -> shared;
                case 1 -> new String(shared.toCharArray());
                default -> "dest-\u00e9-" + i;
            };
            RoutedEvent event = new RoutedEvent(id, 0, "m" + i, "track", new byte[0], null, 0);
            assertThat(assertImmutableRoundTrip(RoutedEvent.class, event).destinationId()).isEqualTo(id);
        }
    }

    @Test
    void deliveryAttemptRoundTripsForEachOutcome() {
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            String error = outcome == AttemptOutcome.DELIVERED ? null : "http 503";
            assertPojoRoundTrip(DeliveryAttempt.class, new DeliveryAttempt(BATCH, outcome, 503, error, 2, 5_000L, 12));
        }
    }

    @Test
    void retriedEventRoundTripsWithItsHistory() {
        RoutedEvent retried = EVENT.withAttempt(new AttemptRecord(1_000, 503, "http 503", 12))
                .withAttempt(new AttemptRecord(9_000, 0, "timeout: no response", 5_000));

        RoutedEvent read = assertImmutableRoundTrip(RoutedEvent.class, retried);

        assertThat(read.attempts()).isEqualTo(2);
        assertThat(read.firstAttemptAt()).isEqualTo(1_000);
        assertThat(read.history()).containsExactly(retried.history());
    }

    @Test
    void parkedBatchRoundTrips() {
        ParkedBatch parked = new ParkedBatch("crm", 3, new RoutedEvent[] {
            EVENT.withAttempt(new AttemptRecord(1_000, 429, "http 429", 3)), routed("m2", "{}")}, 61_000, true);

        ParkedBatch read = assertPojoRoundTrip(ParkedBatch.class, parked);

        assertThat(read.routeKey()).isEqualTo("crm#3");
        assertThat(read.events()[0].attempts()).isEqualTo(1);
    }

    @Test
    void partialAndDeferredAttemptsRoundTripWithItemStatusesAndNotBefore() {
        DeliveryAttempt partial = new DeliveryAttempt(BATCH, AttemptOutcome.PARTIAL, 207, "http 207: 1 of 2 failed",
                1, 5_000L, 12, 0, new int[] {200, 503});
        assertThat(assertPojoRoundTrip(DeliveryAttempt.class, partial).itemStatuses()).containsExactly(200, 503);

        DeliveryAttempt deferred = DeliveryAttempt.deferred(BATCH, "retry-after", 5_000L, 65_000L);
        assertThat(assertPojoRoundTrip(DeliveryAttempt.class, deferred).notBefore()).isEqualTo(65_000L);
    }

    @Test
    void attemptRecordRoundTrips() {
        assertPojoRoundTrip(AttemptRecord.class, new AttemptRecord(5_000L, 0, "timeout: no response", 10_000));
        assertPojoRoundTrip(AttemptRecord.class, new AttemptRecord(5_000L, 200, null, 3));
    }

    @Test
    void deliveryLogRecordRoundTripsForEachStatus() {
        assertImmutableRoundTrip(DeliveryLogRecord.class, new DeliveryLogRecord("crm", DeliveryStatus.DELIVERED, null,
                200, 9_000L, List.of(new DeliveryLogRecord.Event("m1", 1, 15, "in/0/7"),
                        new DeliveryLogRecord.Event("m2", 3, 4_015, "in/1/9"))));
        assertImmutableRoundTrip(DeliveryLogRecord.class,
                DeliveryLogRecord.filtered("m1", "crm", "integrations_disabled", 9_000L, "in/0/7"));
        assertImmutableRoundTrip(DeliveryLogRecord.class, DeliveryLogRecord.of("m1", "crm",
                DeliveryStatus.DEAD_LETTERED, "permanent: http 400", 400, 1, 15, 9_000L, "in/0/7"));
    }

    @Test
    void malformedDeadLetterRoundTripsAndKeepsTheInputAddress() {
        RawEvent input = new RawEvent("events", 2, 41, 0, null, bytes("{\"type\":\"track\""));
        DeadLetter letter = DeadLetter.malformed(input,
                new InvalidEvent(InvalidReason.NOT_JSON, "not valid JSON: cut off", -1, input.value()), 7_000L);

        DeadLetter read = assertPojoRoundTrip(DeadLetter.class, letter);

        assertThat(read.kind()).isEqualTo(DeadLetter.MALFORMED);
        assertThat(read.reason()).isEqualTo("not_json: not valid JSON: cut off");
        assertThat(read.retryable()).isFalse();
        assertThat(read.destinationId()).isNull();
        assertThat(read.messageId()).isNull();
        assertThat(read.topic()).isEqualTo("events");
        assertThat(read.partition()).isEqualTo(2);
        assertThat(read.offset()).isEqualTo(41);
        assertThat(read.payloadEncoding()).isEqualTo("utf8");
        assertThat(read.payload()).isEqualTo("{\"type\":\"track\"");
        assertThat(read.attempts()).isEmpty();
    }

    @Test
    void undeliverableDeadLetterRoundTripsWithItsAttempts() {
        AttemptRecord[] attempts = {new AttemptRecord(1_000L, 503, "http 503", 20), new AttemptRecord(2_000L, 429,
                "http 429", 25)};
        DeadLetter letter = DeadLetter.undeliverable(EVENT, "retryable: http 429", true, attempts, 3_000L);

        DeadLetter read = assertPojoRoundTrip(DeadLetter.class, letter);

        assertThat(read.kind()).isEqualTo(DeadLetter.UNDELIVERABLE);
        assertThat(read.destinationId()).isEqualTo("crm");
        assertThat(read.messageId()).isEqualTo("m1");
        assertThat(read.topic()).isEqualTo("events");
        assertThat(read.partition()).isEqualTo(1);
        assertThat(read.offset()).isEqualTo(99);
        assertThat(read.batchIndex()).isEqualTo(-1);
        assertThat(read.lastStatus()).isEqualTo(429);
        assertThat(read.attempts()).containsExactly(attempts);
        assertThat(read.payload()).isEqualTo(new String(EVENT.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void inputThatIsNotUtf8IsKeptAsBase64() {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0x00, 0x41};
        RawEvent input = new RawEvent("events", 0, 1, 0, null, binary);
        DeadLetter letter = DeadLetter.malformed(input,
                new InvalidEvent(InvalidReason.NOT_JSON, "not valid JSON", -1, binary), 0);

        assertThat(letter.payloadEncoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(letter.payload())).isEqualTo(binary);
    }

    @Test
    void anOriginThatIsNotAKafkaAddressIsKeptWhole() {
        RoutedEvent fromElsewhere = new RoutedEvent("crm", 0, "m1", "track", bytes("{}"), "replay", 0);

        DeadLetter letter = DeadLetter.undeliverable(fromElsewhere, "permanent: http 400", false,
                new AttemptRecord[] {new AttemptRecord(0, 400, "http 400", 1)}, 0);

        assertThat(letter.topic()).isEqualTo("replay");
        assertThat(letter.partition()).isEqualTo(-1);
        assertThat(letter.offset()).isEqualTo(-1);
    }

    @Test
    void deliveryAttemptTurnsIntoItsAttemptRecord() {
        DeliveryAttempt attempt = new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0, "timeout: x", 1, 5_000L, 9);

        assertThat(attempt.toRecord()).isEqualTo(new AttemptRecord(5_000L, 0, "timeout: x", 9));
    }

    private static RoutedEvent routed(String messageId, String payload) {
        return new RoutedEvent("crm", 3, messageId, "track", bytes(payload), "events/1/99", 500L);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
