package dev.outflow.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Realistic Segment traffic, reproducible from a seed: every call type with the fields real libraries send,
 * {@code batch} envelopes, events that use {@code integrations} and {@code _metadata.bundled} to steer routing,
 * several sources, and a share of malformed input of every kind the job must dead-letter.
 *
 * <p>Used by the demo, the integration tests and the benchmarks.
 */
public final class DemoTraffic {

    /** What to generate. {@code destinationNames} are used in {@code integrations} and {@code bundled}. */
    public record Spec(int events, double malformedRate, double batchRate, long seed, List<String> destinationNames) {}

    /** What was produced: {@code events} counts events, so a batch envelope of five counts five. */
    public record Produced(int events, int records) {}

    private static final String[] SOURCES = {"web", "ios", "server"};
    private static final String[] TRACK_EVENTS = {"Product Viewed", "Product Added", "Checkout Started",
        "Order Completed", "Signed Up", "Video Played", "Search Performed"};
    private static final String[] PAGES = {"Home", "Pricing", "Docs", "Checkout", "Blog"};
    private static final String[] SCREENS = {"Feed", "Settings", "Cart", "Profile"};
    private static final String[] PLANS = {"free", "team", "business", "enterprise"};

    private final Spec spec;
    private final Random random;
    private final Instant start = Instant.parse("2026-11-23T09:00:00Z");
    private int sequence;

    public DemoTraffic(Spec spec) {
        this.spec = spec;
        this.random = new Random(spec.seed());
    }

    /** Writes the traffic to {@code topic}; returns once the broker has acknowledged every record. */
    public Produced produce(String bootstrapServers, String topic) {
        return produce(bootstrapServers, topic, Double.POSITIVE_INFINITY);
    }

    /**
     * Like {@link #produce(String, String)}, but spreads the events over time at about {@code eventsPerSecond}, so
     * a test can fail a component while traffic is still arriving.
     */
    public Produced produce(String bootstrapServers, String topic, double eventsPerSecond) {
        long started = System.nanoTime();
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        int events = 0;
        int records = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Record next : records()) {
                ProducerRecord<byte[], byte[]> record =
                        new ProducerRecord<>(topic, null, next.key().getBytes(StandardCharsets.UTF_8), next.value());
                record.headers().add(RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
                        next.source().getBytes(StandardCharsets.UTF_8));
                producer.send(record);
                events += next.events();
                records++;
                waitForSchedule(started, events, eventsPerSecond);
            }
            producer.flush();
        }
        return new Produced(events, records);
    }

    private static void waitForSchedule(long started, int eventsSent, double eventsPerSecond) {
        if (Double.isInfinite(eventsPerSecond)) {
            return;
        }
        long due = started + (long) (eventsSent / eventsPerSecond * 1e9);
        long ahead = due - System.nanoTime();
        if (ahead > 0) {
            try {
                Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while producing", e);
            }
        }
    }

    /**
     * One input record: its key (the user, so a user's events stay in order), value, source, how many events it
     * holds, and whether it was made malformed on purpose.
     */
    public record Record(String key, byte[] value, String source, int events, boolean malformed) {

        /** The events of a well-formed record: the items of a {@code batch} envelope, or the record itself. */
        public List<JsonNode> parsedEvents() {
            if (malformed) {
                throw new IllegalStateException("a malformed record has no events");
            }
            JsonNode root = Json.readTree(value);
            List<JsonNode> parsed = new ArrayList<>();
            if (root.has("batch")) {
                root.get("batch").forEach(parsed::add);
            } else {
                parsed.add(root);
            }
            return parsed;
        }
    }

    /** The next record, holding at most {@code remaining} events. */
    public Record next(int remaining) {
        String source = SOURCES[random.nextInt(SOURCES.length)];
        String user = "user-" + random.nextInt(5_000);
        if (random.nextDouble() < spec.malformedRate()) {
            return new Record(user, malformed(), source, 1, true);
        }
        if (remaining >= 2 && random.nextDouble() < spec.batchRate()) {
            int size = Math.min(remaining, 2 + random.nextInt(4));
            ObjectNode envelope = Json.MAPPER.createObjectNode();
            ArrayNode batch = envelope.putArray("batch");
            for (int i = 0; i < size; i++) {
                ObjectNode event = event(user);
                event.remove("context");
                batch.add(event);
            }
            envelope.set("context", context());
            envelope.put("sentAt", timestamp());
            return new Record(user, Json.toBytes(envelope), source, size, false);
        }
        return new Record(user, Json.toBytes(event(user)), source, 1, false);
    }

    private ObjectNode event(String user) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        double pick = random.nextDouble();
        String type = pick < 0.55 ? "track" : pick < 0.70 ? "identify" : pick < 0.83 ? "page" : pick < 0.91 ? "screen"
                : pick < 0.96 ? "group" : pick < 0.99 ? "alias" : "delete";
        event.put("type", type);
        event.put("messageId", new UUID(random.nextLong(), random.nextLong()).toString());
        boolean known = random.nextDouble() < 0.7;
        if (known || type.equals("alias") || type.equals("delete")) {
            event.put("userId", user);
        }
        event.put("anonymousId", new UUID(random.nextLong(), random.nextLong()).toString());
        event.put("timestamp", timestamp());
        event.put("sentAt", timestamp());
        switch (type) {
            case "track" -> track(event);
            case "identify" -> event.set("traits", traits(user));
            case "page" -> {
                String page = PAGES[random.nextInt(PAGES.length)];
                event.put("name", page);
                event.putObject("properties").put("path", "/" + page.toLowerCase())
                        .put("url", "https://shop.example.com/" + page.toLowerCase())
                        .put("title", page + " | Example Shop").put("referrer", "https://www.google.com/");
            }
            case "screen" -> {
                event.put("name", SCREENS[random.nextInt(SCREENS.length)]);
                event.putObject("properties").put("variation", random.nextBoolean() ? "a" : "b");
            }
            case "group" -> {
                event.put("groupId", "org-" + random.nextInt(300));
                event.putObject("traits").put("name", "Acme " + random.nextInt(300))
                        .put("employees", 10 + random.nextInt(5_000)).put("industry", "Retail");
            }
            case "alias" -> event.put("previousId", "anon-" + random.nextInt(100_000));
            default -> { }
        }
        event.set("context", context());
        steerRouting(event);
        return event;
    }

    private void track(ObjectNode event) {
        String name = TRACK_EVENTS[random.nextInt(TRACK_EVENTS.length)];
        event.put("event", name);
        ObjectNode properties = event.putObject("properties");
        if (name.startsWith("Order") || name.startsWith("Checkout")) {
            properties.put("orderId", "order-" + random.nextInt(1_000_000)).put("currency", "USD");
            ArrayNode products = properties.putArray("products");
            double total = 0;
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                double price = Math.round(random.nextDouble() * 20_000) / 100.0;
                total += price;
                products.addObject().put("sku", "SKU-" + random.nextInt(10_000)).put("price", price)
                        .put("quantity", 1 + random.nextInt(3));
            }
            properties.put("total", Math.round(total * 100) / 100.0);
        } else {
            properties.put("productId", "p-" + random.nextInt(10_000)).put("category", "Shoes")
                    .put("price", Math.round(random.nextDouble() * 30_000) / 100.0);
        }
    }

    private ObjectNode traits(String user) {
        ObjectNode traits = Json.MAPPER.createObjectNode();
        traits.put("email", user + "@example.com").put("name", "User " + user.substring(5))
                .put("plan", PLANS[random.nextInt(PLANS.length)]).put("phone", "+1 555 010 " + random.nextInt(100))
                .put("createdAt", "2025-0" + (1 + random.nextInt(9)) + "-15T10:00:00Z");
        return traits;
    }

    private ObjectNode context() {
        ObjectNode context = Json.MAPPER.createObjectNode();
        context.put("ip", "203.0.113." + random.nextInt(255)).put("locale", "en-US")
                .put("userAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36");
        context.putObject("library").put("name", "analytics.js").put("version", "5.2.0");
        context.putObject("page").put("path", "/").put("url", "https://shop.example.com/");
        return context;
    }

    /** A few events switch destinations off or on, or say a destination already got them in device mode. */
    private void steerRouting(ObjectNode event) {
        List<String> names = spec.destinationNames();
        if (names.isEmpty()) {
            return;
        }
        double pick = random.nextDouble();
        String name = names.get(random.nextInt(names.size()));
        if (pick < 0.04) {
            event.putObject("integrations").put("All", false).put(name, true);
        } else if (pick < 0.07) {
            event.putObject("integrations").put(name, false);
        } else if (pick < 0.09) {
            event.putObject("_metadata").putArray("bundled").add(name);
        }
    }

    private String timestamp() {
        return start.plusMillis(sequence++ * 37L + random.nextInt(1_000)).toString();
    }

    private byte[] malformed() {
        int kind = random.nextInt(10);
        String user = "user-" + random.nextInt(5_000);
        String text = switch (kind) {
            case 0 -> "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"" + user;
            case 1 -> "{\"event\":\"Signed Up\",\"userId\":\"" + user + "\"}";
            case 2 -> "{\"type\":\"purchase\",\"userId\":\"" + user + "\"}";
            case 3 -> "{\"type\":\"track\",\"event\":\"Signed Up\",\"properties\":{}}";
            case 4 -> "{\"type\":\"identify\",\"userId\":\"" + user + "\",\"timestamp\":\"yesterday at noon\"}";
            case 5 -> "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"" + user + "\",\"properties\":\"x\"}";
            case 6 -> "[{\"type\":\"track\"}]";
            case 7 -> "{\"type\":\"track\",\"event\":\"Big\",\"userId\":\"" + user + "\",\"properties\":{\"blob\":\""
                    + "x".repeat(33 * 1024) + "\"}}";
            case 8 -> "not json at all";
            default -> "{\"type\":\"group\",\"userId\":\"" + user + "\"}";
        };
        if (kind == 8 && random.nextBoolean()) {
            return new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x00, 0x7B};
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Every record of the run; the same list each time for the same spec. */
    public List<Record> records() {
        random.setSeed(spec.seed());
        sequence = 0;
        List<Record> records = new ArrayList<>();
        int events = 0;
        while (events < spec.events()) {
            Record next = next(spec.events() - events);
            records.add(next);
            events += next.events();
        }
        return records;
    }
}
