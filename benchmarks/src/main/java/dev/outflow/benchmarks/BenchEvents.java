package dev.outflow.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The benchmarks' input: valid Segment track, identify and page calls, one per Kafka record, that every
 * destination takes (no {@code integrations} switches, no malformed input), so each event is owed once to each
 * destination and nothing else blurs the figures. Reproducible from a seed; messageIds are random-looking UUIDs
 * derived from a prefix and the event's number ({@link #messageId}).
 */
final class BenchEvents {

    private static final String[] TRACK_EVENTS = {"Product Viewed", "Product Added", "Checkout Started",
        "Order Completed", "Signed Up"};

    private BenchEvents() {}

    /** Writes {@code count} events to {@code topic} and waits until the broker has acknowledged all of them. */
    static void produce(String bootstrapServers, String topic, int count, long seed, String prefix) {
        Random random = new Random(seed);
        Instant start = Instant.parse("2026-11-23T09:00:00Z");
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                // a topic created a moment ago may answer NOT_LEADER to the first batch; with several batches in
                // flight the idempotent producer can then wedge on OUT_OF_ORDER_SEQUENCE_NUMBER
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int n = 0; n < count; n++) {
                String userId = "user-" + random.nextInt(Math.max(1, count / 10));
                ObjectNode event = event(random, messageId(prefix, n), userId, start.plusMillis(n * 37L));
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
                        userId.getBytes(StandardCharsets.UTF_8), Json.toBytes(event));
                record.headers().add(RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
                        "web".getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /**
     * The messageId of the {@code n}-th event written with {@code prefix}: a version-4 UUID made from both, as
     * Segment's libraries send random UUIDs (or random hex). Ids counting up ({@code prefix-n}) reached the dedup
     * state in nearly sorted order, which RocksDB stores and compacts far more cheaply than the random ids of real
     * traffic: the throughput benchmark measured the cheap case.
     */
    static String messageId(String prefix, int n) {
        long seed = (long) prefix.hashCode() << 32;
        long high = mix(seed | (n & 0xFFFFFFFFL));
        long low = mix(high ^ n ^ 0x9E3779B97F4A7C15L);
        // the version (4) and variant (10) bits of a random UUID
        return new UUID((high & ~0xF000L) | 0x4000L, (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    /** SplitMix64's finalizer: spreads every input bit over the whole result. */
    private static long mix(long value) {
        long z = (value ^ (value >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static ObjectNode event(Random random, String messageId, String userId, Instant at) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        int kind = random.nextInt(10);
        event.put("type", kind < 7 ? "track" : kind < 9 ? "page" : "identify");
        event.put("messageId", messageId);
        event.put("userId", userId);
        event.put("anonymousId", "anon-" + Long.toHexString(random.nextLong()));
        event.put("timestamp", at.toString());
        event.put("sentAt", at.plusMillis(120).toString());
        ObjectNode context = event.putObject("context");
        context.put("ip", "203.0.113." + random.nextInt(255));
        context.put("userAgent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1.15");
        context.putObject("library").put("name", "analytics.js").put("version", "5.2.0");
        context.putObject("page").put("path", "/pricing").put("url", "https://shop.example.com/pricing");
        switch (event.get("type").asText()) {
            case "track" -> {
                event.put("event", TRACK_EVENTS[random.nextInt(TRACK_EVENTS.length)]);
                ObjectNode properties = event.putObject("properties");
                properties.put("product_id", "sku-" + random.nextInt(5_000));
                properties.put("price", random.nextInt(20_000) / 100.0);
                properties.put("currency", "EUR");
            }
            case "page" -> {
                event.put("name", "Pricing");
                event.putObject("properties").put("title", "Pricing - Shop").put("referrer", "https://search.example");
            }
            default -> event.putObject("traits").put("plan", random.nextBoolean() ? "team" : "free")
                    .put("email", userId + "@example.com");
        }
        return event;
    }
}
