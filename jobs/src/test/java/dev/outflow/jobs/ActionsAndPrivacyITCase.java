package dev.outflow.jobs;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.local.DeliveryAccounting;
import dev.outflow.jobs.local.EndpointBehavior;
import dev.outflow.jobs.local.LocalHttpEndpoint;
import dev.outflow.jobs.testing.LocalKafkaExtension;
import dev.outflow.operators.routing.PiiHashing;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DataCategory.PiiKind;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An Actions destination with two subscriptions, destination filters, user suppression (from a file and from a
 * compacted Kafka topic), blocked fields and PII hashing, on the real job: MiniCluster, a real Kafka broker process,
 * real HTTP endpoints on 127.0.0.1. Every (event, route) pair must be accounted for with the rule Segment would
 * apply, and the endpoints must receive exactly the mapped, filtered and hashed requests.
 */
@ExtendWith(LocalKafkaExtension.class)
class ActionsAndPrivacyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final String SECRET = "crm-s3cr3t-token";
    private static final int USERS = 20;
    private static final List<String> ROUTES = List.of("crm/upsert-contact", "crm/track-order", "warehouse");

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void subscriptionsFiltersSuppressionBlockedFieldsAndHashingWorkEndToEnd() throws Exception {
        LocalHttpEndpoint crm = track(LocalHttpEndpoint.start("crm", EndpointBehavior.healthy()));
        LocalHttpEndpoint warehouse = track(LocalHttpEndpoint.start("warehouse", EndpointBehavior.healthy()));
        Path suppressions = dir.resolve("suppressions.txt");
        Files.writeString(suppressions, "gone suppress_with_delete\n");
        String suppressionTopic = LocalKafkaExtension.uniqueTopic("suppressions");
        DestinationCatalog catalog = new CatalogLoader(Map.of("TOKEN", SECRET, "CRM", crm.url(""),
                "WAREHOUSE", warehouse.url("/in"), "SUPPRESSIONS", suppressionTopic)::get).parse(dir.resolve("catalog.yaml").toString(), """
                destinations:
                  - id: crm
                    name: CRM
                    type: actions
                    headers: {Authorization: "Bearer ${env:TOKEN}"}
                    filters:
                      - if: 'properties.test = true'
                        drop: true
                      - if: all
                        dropProperties: {properties: [internalNote]}
                    subscriptions:
                      - name: Upsert Contact
                        subscribe: 'type = "identify"'
                        syncMode: upsert
                        mapping:
                          messageId: {"@path": "$.messageId"}
                          userId: {"@path": "$.userId"}
                          email: {"@path": "$.traits.email"}
                          phone: {"@path": "$.traits.phone"}
                        action: {method: PUT, url: "${env:CRM}/contacts/{{userId}}"}
                      - name: Track Order
                        subscribe: 'type = "track" and event = "Order Completed"'
                        syncMode: add
                        mapping:
                          messageId: {"@path": "$.messageId"}
                          order: {"@path": "$.properties.orderId"}
                          note: {"@path": "$.properties.internalNote"}
                          ip: {"@path": "$.context.ip"}
                        action: {url: "${env:CRM}/orders"}
                        batching: {maxEvents: 5, maxWait: 200ms}
                  - id: warehouse
                    type: webhook
                    endpoint: ${env:WAREHOUSE}
                    filters:
                      - if: all
                        sample: 0.5
                privacy:
                  suppressions: suppressions.txt
                  suppressionTopic: ${env:SUPPRESSIONS}
                  blockedFields:
                    - fields: [ip]
                      destinations: [crm]
                  hashFields:
                    - fields: [email, phone]
                      destinations: [crm]
                """, false);

        Map<String, String> expected = new HashMap<>();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = "u" + i;
            events.add("{\"type\":\"identify\",\"userId\":\"" + user + "\",\"messageId\":\"id-" + i + "\","
                    + "\"traits\":{\"email\":\" User" + i + "@Example.COM \",\"phone\":\"+1 (415) 555-01" + (10 + i)
                    + "\"}}");
            expected.put("crm/upsert-contact/id-" + i, "DELIVERED");
            expected.put("crm/track-order/id-" + i, "FILTERED:subscription_not_matched");
            events.add("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"" + user + "\",\"messageId\":"
                    + "\"order-" + i + "\",\"properties\":{\"orderId\":\"o-" + i + "\",\"internalNote\":\"vip\","
                    + "\"test\":" + (i % 5 == 0) + "},\"context\":{\"ip\":\"10.0.0." + i + "\"}}");
            expected.put("crm/upsert-contact/order-" + i, i % 5 == 0 ? "FILTERED:filter_dropped"
                    : "FILTERED:subscription_not_matched");
            expected.put("crm/track-order/order-" + i, i % 5 == 0 ? "FILTERED:filter_dropped" : "DELIVERED");
        }
        for (int i = 0; i < 5; i++) {
            events.add("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"gone\",\"messageId\":\"gone-"
                    + i + "\",\"properties\":{\"orderId\":\"g-" + i + "\"}}");
            for (String route : ROUTES) {
                expected.put(route + "/gone-" + i, "FILTERED:user_suppressed");
            }
        }

        // Phase 2, sent once phase 1 is accounted for (by then the job has long read the suppression topic, which
        // was written before it started): one user the topic suppresses, one whose suppression it lifted.
        List<String> afterTopicLoaded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            afterTopicLoaded.add("{\"type\":\"" + (i == 0 ? "identify" : "track") + "\",\"event\":\"Order Completed\","
                    + "\"userId\":\"t-blocked\",\"messageId\":\"blocked-" + i + "\",\"properties\":{\"orderId\":\"b-" + i
                    + "\"}}");
            for (String route : ROUTES) {
                expected.put(route + "/blocked-" + i, "FILTERED:user_suppressed");
            }
        }
        afterTopicLoaded.add("{\"type\":\"identify\",\"userId\":\"t-lifted\",\"messageId\":\"lifted-0\","
                + "\"traits\":{\"email\":\"lifted@example.com\"}}");
        expected.put("crm/upsert-contact/lifted-0", "DELIVERED");
        expected.put("crm/track-order/lifted-0", "FILTERED:subscription_not_matched");

        createCompactedTopic(suppressionTopic);
        assertThat(SuppressionTopic.check(new JobSettings(dir.resolve("catalog.yaml"),
                LocalKafkaExtension.bootstrapServers(), "events", "log", "dead", "g", "earliest", "source-id", 1_000,
                null, 1, 1, false, Map.of()), catalog)).as("compacted: no warning").isEmpty();
        produceKeyed(suppressionTopic, List.of(
                new String[] {"t-blocked", "suppress_only"},
                new String[] {"t-lifted", "suppress_with_delete"},
                new String[] {"t-lifted", null},
                new String[] {"t-typo", "forget_me"}));

        String input = LocalKafkaExtension.uniqueTopic("events");
        String log = LocalKafkaExtension.uniqueTopic("delivery-log");
        String dead = LocalKafkaExtension.uniqueTopic("dead-letters");
        String retries = LocalKafkaExtension.uniqueTopic("retries");
        LocalKafkaExtension.broker().createTopics(Map.of(input, 2, log, 2, dead, 1, retries, 2));
        produce(input, events);

        JobSettings settings = new JobSettings(dir.resolve("catalog.yaml"), LocalKafkaExtension.bootstrapServers(),
                input, log, dead, "it-" + input, "earliest", RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
                1_000, null, 2, 64, false, Map.of()).withRetryTopic(retries);
        JobClient job = OutflowJob.start(StreamExecutionEnvironment.getExecutionEnvironment(), settings, catalog);
        resources.add(() -> job.cancel().get(30, TimeUnit.SECONDS));

        DeliveryAccounting accounting = track(new DeliveryAccounting(LocalKafkaExtension.bootstrapServers(), log, dead,
                ROUTES, true));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        awaitOutcomes(accounting, (long) events.size() * ROUTES.size(), deadline);
        produce(input, afterTopicLoaded);
        long wanted = (long) (events.size() + afterTopicLoaded.size()) * ROUTES.size();
        awaitOutcomes(accounting, wanted, deadline);
        while (System.nanoTime() < deadline && accounting.snapshot().malformed() < 1) {
            accounting.poll(Duration.ofMillis(500));
        }
        Map<String, String> outcomes = accounting.outcomes();
        assertThat(outcomes).as("one outcome per (event, route)").hasSize((int) wanted);

        // the Actions routes: exactly as Segment's rules say, pair by pair
        Map<String, String> crmOutcomes = new HashMap<>(outcomes);
        crmOutcomes.keySet().removeIf(pair -> pair.startsWith("warehouse/"));
        assertThat(crmOutcomes).containsExactlyInAnyOrderEntriesOf(expected.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("warehouse/"))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));

        // the webhook route: suppressed users never, the rest sampled deterministically at about half
        long sampledOut = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("warehouse/")
                && e.getValue().equals("FILTERED:filter_sampled_out")).count();
        long delivered = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("warehouse/")
                && e.getValue().equals("DELIVERED")).count();
        assertThat(delivered + sampledOut).isEqualTo(2L * USERS + 1);
        assertThat(delivered).isPositive();
        assertThat(sampledOut).isPositive();
        expected.forEach((pair, outcome) -> {
            if (pair.startsWith("warehouse/")) {
                assertThat(outcomes).containsEntry(pair, outcome);
            }
        });
        assertThat(warehouse.acceptedMessageIds()).hasSize((int) delivered)
                .noneMatch(id -> id.startsWith("gone-") || id.startsWith("blocked-"));

        // the suppression record the job could not apply, dead-lettered once (not once per subtask) with its address
        // (a record without a key never gets this far: a compacted topic refuses it)
        assertThat(accounting.deadLetters()).filteredOn(letter -> letter.path("topic").asText().equals(suppressionTopic))
                .singleElement().satisfies(letter -> {
                    assertThat(letter.path("reason").asText()).isEqualTo("bad_suppression: value 'forget_me' for user"
                            + " 't-typo' is not suppress_only, suppress_with_delete, unsuppress or a tombstone");
                    assertThat(letter.path("payload").asText()).isEqualTo("forget_me");
                });

        // what the CRM endpoint received: mapped bodies, hashed PII, blocked and dropped fields gone
        List<LocalHttpEndpoint.ReceivedRequest> contacts = crm.received().stream()
                .filter(r -> r.path().startsWith("/contacts/u")).toList();
        assertThat(crm.received()).filteredOn(r -> r.path().equals("/contacts/t-lifted")).hasSize(1);
        assertThat(contacts).hasSize(USERS).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("PUT");
            assertThat(request.headers()).containsEntry("x-outflow-sync-mode", "upsert")
                    .containsEntry("authorization", "Bearer " + SECRET);
            String user = request.body().path("userId").asText();
            int i = Integer.parseInt(user.substring(1));
            assertThat(request.path()).isEqualTo("/contacts/" + user);
            assertThat(request.body().path("email").asText())
                    .isEqualTo(PiiHashing.hash("user" + i + "@example.com", PiiKind.EMAIL));
            assertThat(request.body().path("phone").asText())
                    .isEqualTo(PiiHashing.hash("+141555501" + (10 + i), PiiKind.PHONE));
        });
        List<LocalHttpEndpoint.ReceivedRequest> orders = crm.received().stream()
                .filter(r -> r.path().equals("/orders")).toList();
        List<JsonNode> orderBodies = new ArrayList<>();
        orders.forEach(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.headers()).containsEntry("x-outflow-sync-mode", "add");
            assertThat(request.body().isArray()).as("a batching subscription sends arrays").isTrue();
            request.body().forEach(orderBodies::add);
        });
        assertThat(orderBodies).hasSize(USERS - USERS / 5).allSatisfy(body -> {
            assertThat(body.has("note")).as("dropped by the destination filter").isFalse();
            assertThat(body.has("ip")).as("blocked by the privacy rule").isFalse();
            assertThat(body.path("order").asText()).startsWith("o-");
        });
        assertThat(orders.size()).as("orders are batched").isLessThan(orderBodies.size());
        assertThat(crm.received()).noneMatch(r -> r.body() != null && (r.body().toString().contains("\"gone\"")
                || r.body().toString().contains("t-blocked") || r.body().toString().contains("\"b-")));

        // secrets never reach the outputs
        for (byte[] output : accounting.rawOutputs()) {
            assertThat(new String(output, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain(SECRET);
        }
    }

    @Test
    void aSuppressionTopicThatDoesNotExistStopsTheStartWithTheFieldNamed() throws Exception {
        String missing = LocalKafkaExtension.uniqueTopic("no-such-suppressions");
        DestinationCatalog catalog = new CatalogLoader(Map.<String, String>of()::get).parse("catalog.yaml", """
                destinations:
                  - {id: warehouse, type: webhook, endpoint: "https://warehouse.example/in"}
                privacy:
                  suppressionTopic: %s
                """.formatted(missing), false);
        JobSettings settings = new JobSettings(dir.resolve("catalog.yaml"), LocalKafkaExtension.bootstrapServers(),
                "events", "log", "dead", "g", "earliest", "source-id", 1_000, null, 1, 1, false, Map.of());

        assertThatThrownBy(() -> SuppressionTopic.check(settings, catalog))
                .isInstanceOf(CatalogException.class)
                .hasMessage("catalog.yaml: field 'privacy.suppressionTopic': topic '" + missing + "' does not exist at "
                        + LocalKafkaExtension.bootstrapServers() + " (create it with cleanup.policy=compact)");

        LocalKafkaExtension.broker().createTopics(Map.of(missing, 1));
        assertThat(SuppressionTopic.check(settings, catalog)).hasValueSatisfying(warning ->
                assertThat(warning).contains("cleanup.policy=delete, not compact"));
    }

    private static void awaitOutcomes(DeliveryAccounting accounting, long pairs, long deadline) {
        while (System.nanoTime() < deadline && accounting.outcomes().size() < pairs) {
            accounting.poll(Duration.ofMillis(500));
        }
        assertThat(accounting.outcomes()).as("one outcome per (event, route)").hasSizeGreaterThanOrEqualTo((int) pairs);
    }

    private static void createCompactedTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalKafkaExtension.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Records as any Kafka producer writes them: key = userId, a null value is a tombstone. */
    private static void produceKeyed(String topic, List<String[]> keyValues) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalKafkaExtension.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String[] keyValue : keyValues) {
                producer.send(new ProducerRecord<>(topic, keyValue[0], keyValue[1]));
            }
            producer.flush();
        }
    }

    private static void produce(String topic, List<String> events) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalKafkaExtension.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String event : events) {
                producer.send(new ProducerRecord<>(topic, event));
            }
            producer.flush();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(0, resource);
        return resource;
    }
}
