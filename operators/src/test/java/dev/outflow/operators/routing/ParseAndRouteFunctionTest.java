package dev.outflow.operators.routing;

import dev.outflow.operators.OutputTags;
import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.operators.testutils.RecordingMetrics;
import dev.outflow.operators.testutils.RoutingHarness;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.DeliveryStatus;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The first stage in an operator harness: what goes to the main output, to dead letters and to filtered. */
class ParseAndRouteFunctionTest {

    private static final long NOW = 1_000_000L;

    private static final DestinationCatalog CATALOG = Catalogs.yaml("""
            destinations:
              - id: crm
                name: CRM
                type: webhook
                endpoint: https://crm.example/in
                batching: {maxEvents: 50, shards: 4}
              - id: warehouse
                name: Warehouse
                type: webhook
                endpoint: https://warehouse.example/in
                eventTypes: [track]
            """);

    private final RecordingMetrics metrics = new RecordingMetrics();
    private MockEnvironment environment;
    private RoutingHarness harness;

    /** The routing operator under test, for {@code catalog}. */
    RoutingHarness harness(DestinationCatalog catalog, MockEnvironment environment) throws Exception {
        return new RoutingHarness(new ParseAndRouteFunction(catalog), environment);
    }

    @BeforeEach
    void openHarness() throws Exception {
        environment = new MockEnvironmentBuilder().setMetricGroup(metrics.taskGroup()).build();
        harness = harness(CATALOG, environment);
        harness.open();
        harness.setProcessingTime(NOW);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
        environment.close();
    }

    @Test
    void aValidEventGoesToEachDestinationThatTakesIt() throws Exception {
        harness.processElement(record("events", 2, 17, "web",
                "{\"type\":\"Track\",\"userId\":\"u1\",\"event\":\"Signed Up\",\"messageId\":\"m1\"}"));

        List<RoutedEvent> routed = harness.routedEvents();
        assertThat(routed).extracting(RoutedEvent::destinationId).containsExactly("crm", "warehouse");
        // one batcher subtask: both pairs in one record
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(bundle -> assertThat(bundle.events()).hasSize(2));
        for (RoutedEvent event : routed) {
            assertThat(event.messageId()).isEqualTo("m1");
            assertThat(event.eventType()).isEqualTo("track");
            assertThat(event.origin()).isEqualTo("events/2/17");
            assertThat(event.routedAt()).isEqualTo(NOW);
            assertThat(Json.readTree(event.payload()).path("type").asText()).isEqualTo("track");
            assertThat(Json.readTree(event.payload()).has("receivedAt")).isTrue();
        }
        assertThat(routed.get(0).shard()).isBetween(0, 3);
        assertThat(routed.get(1).shard()).isZero();
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).isEmpty();
        assertThat(sideOutput(OutputTags.FILTERED)).isEmpty();
        assertThat(metrics.count("outflowEventsIn")).isEqualTo(1);
        assertThat(metrics.count("crm.routed")).isEqualTo(1);
        assertThat(metrics.count("warehouse.routed")).isEqualTo(1);
    }

    @Test
    void malformedInputIsDeadLetteredWithItsRawBytesAndKafkaAddress() throws Exception {
        String raw = "{\"type\":\"track\",\"userId\":\"u1\"";
        harness.processElement(record("events", 3, 42, null, raw));

        assertThat(harness.routedEvents()).isEmpty();
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).singleElement().satisfies(letter -> {
            assertThat(letter.kind()).isEqualTo(DeadLetter.MALFORMED);
            assertThat(letter.reason()).startsWith("not_json: ");
            assertThat(letter.retryable()).isFalse();
            assertThat(letter.topic()).isEqualTo("events");
            assertThat(letter.partition()).isEqualTo(3);
            assertThat(letter.offset()).isEqualTo(42);
            assertThat(letter.batchIndex()).isEqualTo(-1);
            assertThat(letter.payloadEncoding()).isEqualTo("utf8");
            assertThat(letter.payload()).isEqualTo(raw);
            assertThat(letter.deadLetteredAt()).isEqualTo(NOW);
            assertThat(letter.destinationId()).isNull();
        });
        assertThat(sideOutput(OutputTags.FILTERED)).isEmpty();
        assertThat(metrics.count("outflowMalformed")).isEqualTo(1);
        assertThat(metrics.count("outflowEventsIn")).isEqualTo(1);
    }

    @Test
    void binaryInputIsDeadLetteredAsBase64OfTheExactBytes() throws Exception {
        byte[] binary = {(byte) 0xc3, (byte) 0x28, 0x00, (byte) 0xff};
        harness.processElement(new StreamRecord<>(new RawEvent("events", 0, 5, NOW, null, binary)));

        DeadLetter letter = sideOutput(OutputTags.DEAD_LETTERS).get(0);
        assertThat(letter.payloadEncoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(letter.payload())).isEqualTo(binary);
    }

    @Test
    void aBatchWithABadItemDeadLettersOnlyThatItemWithItsIndex() throws Exception {
        harness.processElement(record("events", 0, 9, null, """
                {"batch":[{"type":"track","userId":"u1","event":"E","messageId":"m1"},
                          {"type":"track","event":"E"}]}"""));

        assertThat(harness.routedEvents()).extracting(RoutedEvent::messageId).containsExactly("m1", "m1");
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).singleElement().satisfies(letter -> {
            assertThat(letter.batchIndex()).isEqualTo(1);
            assertThat(letter.reason()).startsWith("missing_identity: ");
            assertThat(letter.payload()).isEqualTo("{\"type\":\"track\",\"event\":\"E\"}");
            assertThat(letter.offset()).isEqualTo(9);
        });
        assertThat(metrics.count("outflowEventsIn")).isEqualTo(2);
        assertThat(metrics.count("outflowMalformed")).isEqualTo(1);
    }

    @Test
    void filteredPairsGoToTheFilteredOutputWithTheirRule() throws Exception {
        harness.processElement(record("events", 1, 4, null,
                "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m7\",\"integrations\":{\"CRM\":false}}"));

        assertThat(harness.routedEvents()).isEmpty();
        assertThat(sideOutput(OutputTags.FILTERED)).containsExactly(
                DeliveryLogRecord.filtered("m7", "crm", "integrations_disabled", NOW, "events/1/4"),
                DeliveryLogRecord.filtered("m7", "warehouse", "event_type_not_supported", NOW, "events/1/4"));
        assertThat(sideOutput(OutputTags.FILTERED)).extracting(DeliveryLogRecord::status)
                .containsOnly(DeliveryStatus.FILTERED);
        assertThat(sideOutput(OutputTags.DEAD_LETTERS)).isEmpty();
        assertThat(metrics.count("crm.integrations_disabled.filtered")).isEqualTo(1);
        assertThat(metrics.count("warehouse.event_type_not_supported.filtered")).isEqualTo(1);
        assertThat(metrics.count("crm.routed")).isZero();
    }

    @Test
    void everyEventDestinationPairLeavesExactlyOnce() throws Exception {
        String[] inputs = {
            "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"a\"}",
            "{\"type\":\"page\",\"userId\":\"u2\",\"messageId\":\"b\"}",
            "{\"type\":\"track\",\"userId\":\"u3\",\"event\":\"E\",\"messageId\":\"c\",\"integrations\":{\"All\":false}}",
            "{\"type\":\"delete\",\"userId\":\"u4\",\"messageId\":\"d\"}",
        };
        for (int i = 0; i < inputs.length; i++) {
            harness.processElement(record("events", 0, i, null, inputs[i]));
        }

        Set<String> pairs = new HashSet<>();
        List<String> all = new ArrayList<>();
        harness.routedEvents().forEach(event -> all.add(event.messageId() + "->" + event.destinationId()));
        sideOutput(OutputTags.FILTERED).forEach(record -> all.add(record.messageIds().get(0) + "->" + record.destinationId()));
        pairs.addAll(all);

        assertThat(all).hasSize(inputs.length * CATALOG.destinations().size());
        assertThat(pairs).hasSameSizeAs(all);
    }

    @Test
    void oneUsersEventsStayOnOneShard() throws Exception {
        for (int i = 0; i < 20; i++) {
            harness.processElement(record("events", 0, i, null,
                    "{\"type\":\"page\",\"userId\":\"same-user\",\"messageId\":\"m" + i + "\"}"));
            harness.processElement(record("events", 0, 100 + i, null,
                    "{\"type\":\"page\",\"anonymousId\":\"anon-" + i + "\",\"messageId\":\"n" + i + "\"}"));
        }

        List<RoutedEvent> crm = harness.routedEvents().stream()
                .filter(event -> event.destinationId().equals("crm")).toList();
        assertThat(crm.stream().filter(event -> event.messageId().startsWith("m")).map(RoutedEvent::shard))
                .hasSize(20).containsOnly(crm.get(0).shard());
        assertThat(crm.stream().map(RoutedEvent::shard).distinct()).hasSizeGreaterThan(1).allMatch(s -> s >= 0 && s < 4);
    }

    @Test
    void anEventsPairsLeaveAsOneBundlePerBatcherSubtask() throws Exception {
        harness.close();
        environment.close();
        environment = new MockEnvironmentBuilder().setMetricGroup(metrics.taskGroup()).setParallelism(2)
                .setMaxParallelism(128).build();
        harness = harness(CATALOG, environment);
        harness.open();
        for (int i = 0; i < 40; i++) {
            harness.processElement(record("events", 0, i, null,
                    "{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"messageId\":\"m" + i + "\"}"));
        }

        List<RoutedBundle> bundles = harness.extractOutputValues();
        assertThat(harness.routedEvents()).hasSize(80);
        int splitEvents = 0;
        for (RoutedBundle bundle : bundles) {
            RoutedEvent[] pairs = bundle.events();
            // every pair of a bundle is keyed onto the subtask its first pair is sent to
            assertThat(pairs).extracting(pair -> subtaskOf(pair.routeKey())).containsOnly(subtaskOf(bundle.routeKey()));
            if (pairs.length == 2) {
                // both destinations take the event unchanged: one payload for the two
                assertThat(pairs[1].payload()).isSameAs(pairs[0].payload());
            } else {
                splitEvents++;
            }
        }
        // each event went out as one bundle, or as two when its crm shard and warehouse batch on different subtasks
        // (at 2 of 128: warehouse#0 with crm#0 and crm#3 on one, crm#1 and crm#2 on the other)
        assertThat(bundles).hasSize(40 + splitEvents / 2);
        assertThat(splitEvents).isPositive().isLessThan(80);
    }

    private static int subtaskOf(String routeKey) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(routeKey, 128, 2);
    }

    private <T> List<T> sideOutput(OutputTag<T> tag) {
        var records = harness.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static StreamRecord<RawEvent> record(String topic, int partition, long offset, String sourceId,
            String value) {
        return new StreamRecord<>(new RawEvent(topic, partition, offset, NOW - 5, sourceId,
                value.getBytes(StandardCharsets.UTF_8)));
    }
}
