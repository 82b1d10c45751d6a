package dev.outflow.operators.routing;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.testutils.RecordingMetrics;
import dev.outflow.operators.testutils.RoutingHarness;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.kafka.SuppressionChangeDeserializationSchema;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The suppression topic in the routing stage (its broadcast input): what reaches the main output, the filtered and
 * dead-letter side outputs, and what the broadcast state holds, including across a snapshot and restore.
 */
class ParseAndRouteSuppressionTest {

    private static final long NOW = 3_000_000L;
    private static final String TOPIC = "user-suppressions";

    @TempDir
    Path dir;

    private DestinationCatalog catalog;
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private RoutingHarness harness;
    private long offset;

    @BeforeEach
    void openHarness() throws Exception {
        Files.writeString(dir.resolve("suppressions.txt"), "from-file\n");
        catalog = new CatalogLoader(Map.<String, String>of()::get).parse(dir.resolve("catalog.yaml").toString(), """
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: https://crm.example/in
                    handlesDeletes: true
                  - id: warehouse
                    type: webhook
                    endpoint: https://warehouse.example/in
                privacy:
                  suppressions: suppressions.txt
                  suppressionTopic: user-suppressions
                """, false);
        harness = open(0);
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (AutoCloseable resource : opened) {
            resource.close();
        }
    }

    @Test
    void aUserIsSuppressedFromTheMomentTheirRecordArrives() throws Exception {
        event("u1", "before", "track");
        suppress("u1", "suppress_only");
        event("u1", "after", "track");

        assertThat(harness.routedEvents()).extracting(RoutedEvent::messageId, RoutedEvent::destinationId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("before", "crm"),
                        org.assertj.core.groups.Tuple.tuple("before", "warehouse"));
        assertThat(sideOutput(OutputTags.FILTERED)).containsExactly(
                DeliveryLogRecord.filtered("after", "crm", "user_suppressed", NOW, "events/0/2"),
                DeliveryLogRecord.filtered("after", "warehouse", "user_suppressed", NOW, "events/0/2"));
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).isEmpty();
        assertThat(harness.suppressedUsers().entries()).singleElement().satisfies(entry -> {
            assertThat(entry.getKey()).isEqualTo("u1");
            assertThat(entry.getValue()).isEqualTo(SuppressionMode.SUPPRESS_ONLY);
        });
        assertThat(metrics.count("crm.user_suppressed.filtered")).isEqualTo(1);
        assertThat(metrics.count("warehouse.user_suppressed.filtered")).isEqualTo(1);
    }

    @Test
    void aTombstoneOrUnsuppressLiftsTheSuppression() throws Exception {
        suppress("u1", "suppress_only");
        suppress("u2", "suppress_with_delete");
        change("u1", null);
        suppress("u2", "Unsuppress");
        event("u1", "m1", "track");
        event("u2", "m2", "track");

        assertThat(harness.suppressedUsers().entries()).isEmpty();
        assertThat(harness.routedEvents()).extracting(RoutedEvent::messageId)
                .containsExactly("m1", "m1", "m2", "m2");
        assertThat(sideOutput(OutputTags.FILTERED)).isEmpty();
    }

    @Test
    void underSuppressWithDeleteTheUsersDeleteStillReachesDestinationsThatHandleDeletes() throws Exception {
        suppress("u1", "suppress_with_delete");
        suppress("u2", "suppress_only");
        event("u1", "delete-1", "delete");
        event("u1", "track-1", "track");
        event("u2", "delete-2", "delete");

        assertThat(harness.routedEvents()).extracting(RoutedEvent::messageId, RoutedEvent::destinationId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("delete-1", "crm"));
        assertThat(sideOutput(OutputTags.FILTERED)).extracting(l -> l.messageIds().get(0),
                DeliveryLogRecord::destinationId, DeliveryLogRecord::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("delete-1", "warehouse", "event_type_not_supported"),
                org.assertj.core.groups.Tuple.tuple("track-1", "crm", "user_suppressed"),
                org.assertj.core.groups.Tuple.tuple("track-1", "warehouse", "user_suppressed"),
                org.assertj.core.groups.Tuple.tuple("delete-2", "crm", "user_suppressed"),
                org.assertj.core.groups.Tuple.tuple("delete-2", "warehouse", "user_suppressed"));
    }

    @Test
    void theFileListStillAppliesAndATopicLiftDoesNotLiftIt() throws Exception {
        event("from-file", "m1", "track");
        change("from-file", null);
        event("from-file", "m2", "track");

        assertThat(harness.routedEvents()).isEmpty();
        assertThat(sideOutput(OutputTags.FILTERED)).extracting(DeliveryLogRecord::reason)
                .containsOnly("user_suppressed").hasSize(4);
    }

    @Test
    void aRecordThatCannotBeAppliedIsDeadLetteredOnceWithItsAddressAndChangesNothing() throws Exception {
        suppress("u1", "suppress_only");
        suppress("u1", "forget_me");
        harness.processBroadcastElement(read(null, "suppress_only"));
        event("u1", "m1", "track");

        assertThat(harness.suppressedUsers().get("u1")).isEqualTo(SuppressionMode.SUPPRESS_ONLY);
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).hasSize(2).allSatisfy(letter -> {
            assertThat(letter.kind()).isEqualTo(DeadLetter.MALFORMED);
            assertThat(letter.topic()).isEqualTo(TOPIC);
            assertThat(letter.destinationId()).isNull();
        });
        assertThat(sideOutput(OutputTags.DEAD_LETTERS).get(0).reason())
                .isEqualTo("bad_suppression: value 'forget_me' for user 'u1' is not suppress_only,"
                        + " suppress_with_delete, unsuppress or a tombstone");
        assertThat(sideOutput(OutputTags.DEAD_LETTERS).get(0).offset()).isEqualTo(1);
        assertThat(sideOutput(OutputTags.DEAD_LETTERS).get(0).payload()).isEqualTo("forget_me");
        assertThat(sideOutput(OutputTags.DEAD_LETTERS).get(1).reason())
                .isEqualTo("bad_suppression: the record has no key: the key must be the userId");
        assertThat(sideOutput(OutputTags.FILTERED)).extracting(DeliveryLogRecord::reason)
                .containsOnly("user_suppressed");

        // every subtask sees the record; only the first one writes the dead letter
        RoutingHarness second = open(1);
        second.processBroadcastElement(read("u1", "forget_me"));
        assertThat(second.getSideOutput(OutputTags.DEAD_LETTERS)).isNullOrEmpty();
    }

    @Test
    void theListSurvivesASnapshotAndRestoreBeforeAnyTopicRecord() throws Exception {
        suppress("u1", "suppress_only");
        suppress("u2", "suppress_with_delete");
        OperatorSubtaskState snapshot = harness.snapshot(1, NOW);

        RoutingHarness restored = open(0, snapshot);
        restored.processElement(eventRecord("u1", "m1", "track"));
        restored.processElement(eventRecord("u3", "m3", "track"));

        assertThat(restored.suppressedUsers().entries()).hasSize(2);
        assertThat(restored.routedEvents()).extracting(RoutedEvent::messageId).containsExactly("m3", "m3");
        assertThat(restored.getSideOutput(OutputTags.FILTERED)).extracting(StreamRecord::getValue)
                .extracting(DeliveryLogRecord::reason).containsExactly("user_suppressed", "user_suppressed");
    }

    private RoutingHarness open(int subtask) throws Exception {
        return open(subtask, null);
    }

    private RoutingHarness open(int subtask, OperatorSubtaskState restoreFrom) throws Exception {
        MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(metrics.taskGroup())
                .setParallelism(2).setMaxParallelism(128).setSubtaskIndex(subtask).build();
        RoutingHarness opening = new RoutingHarness(new ParseAndRouteFunction(catalog), environment);
        opened.add(0, environment);
        opened.add(0, opening);
        if (restoreFrom != null) {
            opening.initializeState(restoreFrom);
        }
        opening.open();
        opening.setProcessingTime(NOW);
        return opening;
    }

    private void event(String userId, String messageId, String type) throws Exception {
        harness.processElement(eventRecord(userId, messageId, type));
    }

    private StreamRecord<RawEvent> eventRecord(String userId, String messageId, String type) {
        String json = "{\"type\":\"" + type + "\",\"userId\":\"" + userId + "\",\"messageId\":\"" + messageId + "\""
                + (type.equals("track") ? ",\"event\":\"E\"" : "") + "}";
        return new StreamRecord<>(new RawEvent("events", 0, offset++, NOW - 5, null,
                json.getBytes(StandardCharsets.UTF_8)));
    }

    private void suppress(String userId, String value) throws Exception {
        change(userId, value);
    }

    private void change(String userId, String value) throws Exception {
        harness.processBroadcastElement(read(userId, value));
    }

    private SuppressionChange read(String userId, String value) {
        byte[] valueBytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        return SuppressionChangeDeserializationSchema.read(
                userId == null ? null : userId.getBytes(StandardCharsets.UTF_8), valueBytes,
                new RawEvent(TOPIC, 0, offset++, NOW - 10, null, valueBytes));
    }

    private <T> List<T> sideOutput(OutputTag<T> tag) {
        var records = harness.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }
}
