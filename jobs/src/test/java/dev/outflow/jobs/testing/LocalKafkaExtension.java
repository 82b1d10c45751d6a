package dev.outflow.jobs.testing;

import dev.outflow.jobs.local.LocalKafkaBroker;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One real Kafka broker process for the whole test run, started on first use and stopped when the run ends
 * (it lives in JUnit's root store). Tests isolate themselves with {@link #uniqueTopic}.
 */
public final class LocalKafkaExtension implements BeforeAllCallback {

    private static final String KEY = "outflow-local-kafka";

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, key -> SharedBroker.start(), SharedBroker.class);
    }

    public static LocalKafkaBroker broker() {
        if (SharedBroker.current == null) {
            throw new IllegalStateException("register LocalKafkaExtension on the test class");
        }
        return SharedBroker.current.broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The broker and its folder; closing it stops the broker and deletes the folder. */
    static final class SharedBroker implements ExtensionContext.Store.CloseableResource {
        private static volatile SharedBroker current;
        private final LocalKafkaBroker broker;
        private final Path workDir;

        private SharedBroker(LocalKafkaBroker broker, Path workDir) {
            this.broker = broker;
            this.workDir = workDir;
        }

        static SharedBroker start() {
            try {
                Path workDir = Files.createTempDirectory("outflow-test-kafka-");
                current = new SharedBroker(LocalKafkaBroker.start(workDir), workDir);
                return current;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the local Kafka broker: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the local Kafka broker", e);
            }
        }

        @Override
        public void close() throws IOException {
            broker.close();
            current = null;
            try (Stream<Path> paths = Files.walk(workDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
