package dev.outflow.jobs.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka 4.2 broker (KRaft, combined broker and controller) in its own JVM, from the jars that
 * {@code docker/local-kafka} assembles. Listens on 127.0.0.1 only, on free ports. Used by the demo and the tests;
 * {@link #close()} (or JVM exit) stops it.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** System property naming the broker's lib folder; else found from the working directory. */
    public static final String LIB_PROPERTY = "outflow.kafka.lib";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path workDir;
    private final String bootstrapServers;
    private final Thread shutdownHook;

    private LocalKafkaBroker(Process process, Path workDir, String bootstrapServers) {
        this.process = process;
        this.workDir = workDir;
        this.bootstrapServers = bootstrapServers;
        this.shutdownHook = new Thread(process::destroyForcibly, "stop-local-kafka");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats a fresh log directory under {@code workDir}, starts the broker and waits until it serves requests. */
    public static LocalKafkaBroker start(Path workDir) throws IOException, InterruptedException {
        Path lib = findLib();
        Files.createDirectories(workDir);
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path config = workDir.resolve("server.properties");
        Files.writeString(config, serverProperties(workDir.resolve("data"), brokerPort, controllerPort));
        Path logConfig = workDir.resolve("log4j2.properties");
        Files.writeString(logConfig, logProperties(workDir.resolve("broker.log")));

        String classpath = lib.toAbsolutePath() + "/*";
        List<String> format = javaCommand(classpath, logConfig, "256m");
        format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString(), "--feature", "transaction.version=1"));
        Process formatting = new ProcessBuilder(format)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("format.out").toFile())
                .start();
        if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            formatting.destroyForcibly();
            throw new IOException("formatting the Kafka log directory failed:\n"
                    + Files.readString(workDir.resolve("format.out")));
        }

        List<String> serve = javaCommand(classpath, logConfig, "512m");
        serve.addAll(List.of("kafka.Kafka", config.toString()));
        Process process = new ProcessBuilder(serve)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("broker.out").toFile())
                .start();
        LocalKafkaBroker broker = new LocalKafkaBroker(process, workDir, "127.0.0.1:" + brokerPort);
        try {
            broker.awaitReady();
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public Path workDir() {
        return workDir;
    }

    /** Creates topics that do not exist yet. */
    public void createTopics(Map<String, Integer> partitionsByTopic) throws InterruptedException {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
            admin.createTopics(topics).values().forEach((name, created) -> {
                try {
                    created.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with code " + process.exitValue() + ":\n" + logTail());
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IOException("the Kafka broker did not come up within " + STARTUP_TIMEOUT.toSeconds() + " s:\n"
                + logTail());
    }

    private String logTail() throws IOException {
        Path out = workDir.resolve("broker.out");
        Path log = workDir.resolve("broker.log");
        List<String> lines = new ArrayList<>();
        for (Path file : List.of(out, log)) {
            if (Files.exists(file)) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: nothing left to undo
        }
    }

    /** The broker's lib folder: the system property, else {@code docker/local-kafka/target/lib} above the cwd. */
    static Path findLib() throws IOException {
        String configured = System.getProperty(LIB_PROPERTY);
        if (configured != null) {
            Path lib = Paths.get(configured);
            if (Files.isDirectory(lib)) {
                return lib;
            }
            throw new IOException("no Kafka broker jars at " + lib + " (" + LIB_PROPERTY
                    + "); build them with: mvn -q -pl docker/local-kafka package");
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path lib = dir.resolve("docker/local-kafka/target/lib");
            if (Files.isDirectory(lib)) {
                return lib;
            }
        }
        throw new IOException("no Kafka broker jars found (docker/local-kafka/target/lib); build them with: "
                + "mvn -q -pl docker/local-kafka package");
    }

    private static List<String> javaCommand(String classpath, Path logConfig, String heap) {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + logConfig.toAbsolutePath(), "-cp", classpath));
    }

    private static String serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir.toAbsolutePath(),
                "num.partitions=2",
                // a single node: every internal topic has one replica, and few partitions start faster
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "");
    }

    private static String logProperties(Path logFile) {
        return String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = FILE",
                "appender.file.fileName = " + logFile.toAbsolutePath(),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                "");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
