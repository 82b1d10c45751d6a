package dev.outflow.jobs;

import dev.outflow.jobs.local.DeliveryAccounting;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.testing.LocalKafkaExtension;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.SettingsCipher;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destination functions in the real job (MiniCluster, a real Kafka broker process): the sample
 * {@code forward-to-crm.js} fetches to a real HTTP endpoint with an encrypted API key, and {@code batch-partial.js}
 * gets batches through {@code onBatch}. Every (event, destination) pair must end as Segment's function
 * semantics say, and the key must appear in no output.
 */
@ExtendWith(LocalKafkaExtension.class)
class FunctionDestinationITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final String API_KEY = "crm-api-key-7f3a9c";

    @Test
    void functionDestinationsDeliverThroughTheirCodeWithSegmentOutcomes() throws Exception {
        try (LocalHttpEndpoint crm = LocalHttpEndpoint.start("crm", EndpointBehavior.healthy())) {
            String key = SettingsCipher.newKey();
            String encryptedApiKey = SettingsCipher.fromBase64Key(key).encrypt(API_KEY);
            DestinationCatalog catalog = new CatalogLoader(Map.of(SettingsCipher.KEY_VARIABLE, key)::get)
                    .parse("functions-it.yaml", """
                            destinations:
                              - id: crm-fn
                                name: CRM Function
                                type: function
                                code: ../examples/functions/forward-to-crm.js
                                eventTypes: [track, identify, page]
                                settings: {apiUrl: "%s"}
                                encryptedSettings: {apiKey: "%s"}
                              - id: batch-fn
                                name: Batch Function
                                type: function
                                code: ../examples/functions/batch-partial.js
                                eventTypes: [track]
                                batching: {maxEvents: 20, maxWait: 200ms}
                            """.formatted(crm.url(""), encryptedApiKey), false);

            String input = LocalKafkaExtension.uniqueTopic("fn-events");
            String log = LocalKafkaExtension.uniqueTopic("fn-delivery-log");
            String dead = LocalKafkaExtension.uniqueTopic("fn-dead-letters");
            String retries = LocalKafkaExtension.uniqueTopic("fn-retries");
            LocalKafkaExtension.broker().createTopics(Map.of(input, 2, log, 2, dead, 1, retries, 2));

            Map<String, String> expected = new HashMap<>();
            Set<String> deliveredToCrm = new TreeSet<>();
            Properties producerProperties = new Properties();
            producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalKafkaExtension.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties,
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 200; i++) {
                    String id = "fn-" + i;
                    String event;
                    if (i < 100) {
                        event = "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u" + i + "\"";
                        expected.put("crm-fn/" + id, "DELIVERED");
                        deliveredToCrm.add(id);
                        expected.put("batch-fn/" + id, "DELIVERED");
                    } else if (i < 130) {
                        event = "{\"type\":\"track\",\"event\":\"Viewed\",\"anonymousId\":\"a" + i + "\"";
                        expected.put("crm-fn/" + id, "DEAD_LETTERED:permanent: function message_rejected: "
                                + "InvalidEventPayload: userId is required");
                        expected.put("batch-fn/" + id, "DELIVERED");
                    } else if (i < 170) {
                        event = "{\"type\":\"identify\",\"userId\":\"u" + i + "\",\"traits\":{\"plan\":\"pro\"}";
                        expected.put("crm-fn/" + id, "DELIVERED");
                        deliveredToCrm.add(id);
                        expected.put("batch-fn/" + id, "FILTERED:event_type_not_supported");
                    } else if (i < 190) {
                        event = "{\"type\":\"page\",\"name\":\"Home\",\"userId\":\"u" + i + "\"";
                        expected.put("crm-fn/" + id, "DEAD_LETTERED:permanent: function unsupported_event_type: "
                                + "EventNotSupported: page is not supported");
                        expected.put("batch-fn/" + id, "FILTERED:event_type_not_supported");
                    } else {
                        event = "{\"type\":\"screen\",\"name\":\"Home\",\"userId\":\"u" + i + "\"";
                        expected.put("crm-fn/" + id, "FILTERED:event_type_not_supported");
                        expected.put("batch-fn/" + id, "FILTERED:event_type_not_supported");
                    }
                    event += ",\"messageId\":\"" + id + "\",\"timestamp\":\"2024-05-01T10:00:00Z\"}";
                    producer.send(new ProducerRecord<>(input, id, event));
                }
            }

            JobSettings settings = new JobSettings(Path.of("functions-it.yaml"),
                    LocalKafkaExtension.bootstrapServers(), input, log, dead, "it-" + input, "earliest",
                    RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER, 1_000, null, 2, 64, false, Map.of())
                    .withRetryTopic(retries);
            // the key travels with the test's job graph; a real job reads the task managers' environment
            JobClient job = OutflowJob.start(StreamExecutionEnvironment.getExecutionEnvironment(), settings, catalog,
                    () -> key);
            try (DeliveryAccounting accounting = new DeliveryAccounting(LocalKafkaExtension.bootstrapServers(), log,
                    dead, List.of("crm-fn", "batch-fn"), true)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (accounting.outcomes().size() < expected.size() && System.nanoTime() < deadline) {
                    accounting.poll(Duration.ofMillis(500));
                }
                accounting.poll(Duration.ofSeconds(2));

                assertThat(accounting.outcomes()).containsExactlyInAnyOrderEntriesOf(expected);
                assertThat(crm.acceptedMessageIds()).isEqualTo(deliveredToCrm);
                assertThat(crm.duplicates()).isZero();
                assertThat(crm.lastHeader("Authorization")).isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString((API_KEY + ":").getBytes(StandardCharsets.UTF_8)));
                for (byte[] output : accounting.rawOutputs()) {
                    assertThat(new String(output, StandardCharsets.UTF_8)).doesNotContain(API_KEY);
                }
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
