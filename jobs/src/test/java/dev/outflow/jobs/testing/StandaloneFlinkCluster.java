package dev.outflow.jobs.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster on this machine, as a user runs one from a Flink distribution: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}) in JVMs of their own,
 * on the class path {@code docker/local-flink} assembles from Maven jars, every listener on 127.0.0.1.
 *
 * <p>Each run gets its own folder (config, logs, blobs, uploads, TaskManager temp and RocksDB folders). The JVMs
 * get the memory flags Flink's {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} compute (same Flink code),
 * and the Java 17 opens of flink-dist's config. Jobs are submitted over the REST API ({@link #rest()}).
 * {@link #close()}, or the JVM exiting, stops every process it started; every wait is bounded.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    /** System property naming the cluster's lib folder; else found above the working directory. */
    public static final String LIB_PROPERTY = "outflow.flink.lib";

    private static final String LIB_RELATIVE = "docker/local-flink/target/lib";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Path TIMEOUT_COMMAND = Path.of("/usr/bin/timeout");
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    /** How big and how watchful the cluster is. */
    public record Settings(int slotsPerTaskManager, String jobManagerMemory, String taskManagerMemory,
            Duration heartbeatInterval, Duration heartbeatTimeout, Duration restartDelay, Duration maxLifetime) {

        /**
         * Small JVMs and a 1 s heartbeat, so a lost TaskManager is noticed within seconds rather than the 50 s
         * default timeout; restarts every second, without limit, until slots come back. No JVM lives longer than
         * 15 minutes, even if the test JVM dies without stopping them.
         */
        public static Settings forTests() {
            return new Settings(2, "1024m", "1280m", Duration.ofSeconds(1), Duration.ofSeconds(10),
                    Duration.ofSeconds(1), Duration.ofMinutes(15));
        }
    }

    /**
     * One TaskManager: {@code process} is what was launched (the {@code timeout} wrapper where there is one),
     * {@code jvm} the TaskManager JVM itself.
     */
    public record TaskManager(String resourceId, Process process, ProcessHandle jvm, Path logFile) {}

    private final Path workDir;
    private final Path lib;
    private final Path confDir;
    private final Settings settings;
    private final Map<String, String> jobManagerEnvironment;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<TaskManager> taskManagers = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private final int restPort;
    private FlinkRestClient rest;
    private Process jobManager;
    private ProcessHandle jobManagerJvm;
    private int taskManagersStarted;
    private int clientRuns;

    private StandaloneFlinkCluster(Path workDir, Path lib, Settings settings, Map<String, String> jobManagerEnvironment,
            int restPort) {
        this.workDir = workDir;
        this.lib = lib;
        this.confDir = workDir.resolve("conf");
        this.settings = settings;
        this.jobManagerEnvironment = Map.copyOf(jobManagerEnvironment);
        this.restPort = restPort;
        this.shutdownHook = new Thread(() -> processes.forEach(StandaloneFlinkCluster::killTree),
                "stop-flink-cluster");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Writes the cluster's config into {@code workDir}, starts the JobManager and waits until its REST API answers.
     * {@code jobManagerEnvironment} is added to the JobManager's environment: the job's main method runs there
     * when a jar is submitted over REST, so that is where a catalog's {@code ${env:...}} secrets come from.
     */
    public static StandaloneFlinkCluster start(Path workDir, Settings settings, Map<String, String> jobManagerEnvironment)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(workDir.toAbsolutePath(), findLib(), settings,
                jobManagerEnvironment, freePort());
        try {
            cluster.writeConfig();
            cluster.startJobManager();
            return cluster;
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    public FlinkRestClient rest() {
        return rest;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public Path workDir() {
        return workDir;
    }

    public long jobManagerPid() {
        return jobManagerJvm.pid();
    }

    /** Starts one more TaskManager JVM and waits until it has registered with the JobManager. */
    public TaskManager startTaskManager() throws IOException, InterruptedException {
        String resourceId = "tm-" + (++taskManagersStarted);
        Path dir = workDir.resolve(resourceId);
        Files.createDirectories(dir.resolve("tmp"));
        Configuration config = GlobalConfiguration.loadConfiguration(confDir.toString());
        TaskExecutorProcessSpec memory = TaskExecutorProcessUtils.processSpecFromConfig(config);
        List<String> jvmArgs = splitFlags(ProcessMemoryUtils.generateJvmParametersStr(memory));
        List<String> dynamic = splitFlags(TaskExecutorProcessUtils.generateDynamicConfigsStr(memory));
        dynamic.addAll(List.of("-D", "taskmanager.resource-id=" + resourceId,
                "-D", "io.tmp.dirs=" + dir.resolve("tmp")));
        Path logFile = workDir.resolve("log").resolve(resourceId + ".log");
        Process process = launch(resourceId, jvmArgs, logFile, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                withConfigDir(dynamic), Map.of());
        TaskManager taskManager = new TaskManager(resourceId, process, jvmOf(process), logFile);
        taskManagers.add(taskManager);
        awaitRegistered(taskManager);
        return taskManager;
    }

    /**
     * Kills a TaskManager the hard way, as a crashed machine or an OOM killer would: {@code destroyForcibly} is
     * SIGKILL on Linux, so the JVM gets no chance to deregister, close connections or flush anything. Returns the
     * exit code (137, 128 + SIGKILL, when it really died of the signal; the {@code timeout} wrapper passes it on).
     */
    public int kill(TaskManager taskManager) throws InterruptedException {
        taskManager.jvm().destroyForcibly();
        if (!taskManager.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(taskManager.resourceId() + " survived SIGKILL for " + STOP_TIMEOUT);
        }
        taskManagers.remove(taskManager);
        return taskManager.process().exitValue();
    }

    /**
     * Submits a job jar the way a user does with {@code flink run -d}: Flink's command-line client
     * ({@code CliFrontend}) in a JVM of its own, on the cluster's class path, reading the cluster's config. The
     * job's main method runs in that client JVM (with {@code environment} added), which submits the job graph.
     * Returns the job id the client printed.
     */
    public String flinkRun(Path jar, String entryClass, List<String> programArgs, Map<String, String> environment)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("run", "-d", "-c", entryClass, jar.toString()));
        arguments.addAll(programArgs);
        Path out = workDir.resolve("log").resolve("flink-run-" + (++clientRuns) + ".out");
        Process client = launch(out.getFileName().toString().replace(".out", ""), List.of("-Xmx256m"),
                workDir.resolve("log").resolve("flink-run.log"), "org.apache.flink.client.cli.CliFrontend", arguments,
                environment);
        if (!client.waitFor(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            killTree(client);
            throw new IOException("flink run did not finish within " + STARTUP_TIMEOUT + "; see " + out);
        }
        String printed = Files.readString(out);
        Matcher submitted = SUBMITTED.matcher(printed);
        if (client.exitValue() != 0 || !submitted.find()) {
            throw new IOException("flink run exited with code " + client.exitValue() + ":\n" + printed);
        }
        return submitted.group(1);
    }

    /** Resource ids of the TaskManagers the JobManager currently knows. */
    public List<String> registeredTaskManagers() throws IOException {
        return rest.taskManagerIds();
    }

    private void startJobManager() throws IOException, InterruptedException {
        Configuration config = GlobalConfiguration.loadConfiguration(confDir.toString());
        JobManagerProcessSpec memory = JobManagerProcessUtils.processSpecFromConfig(config);
        List<String> jvmArgs = splitFlags(JobManagerProcessUtils.generateJvmParametersStr(memory, config));
        List<String> dynamic = splitFlags(JobManagerProcessUtils.generateDynamicConfigsStr(memory));
        jobManager = launch("jobmanager", jvmArgs, workDir.resolve("log").resolve("jobmanager.log"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", withConfigDir(dynamic),
                jobManagerEnvironment);
        jobManagerJvm = jvmOf(jobManager);
        rest = new FlinkRestClient(restUrl());
        Awaitility.await("the JobManager's REST API (see " + workDir.resolve("log") + ")")
                .atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .failFast("the JobManager exited; see " + workDir.resolve("log"), () -> !jobManager.isAlive())
                .until(() -> {
                    rest.overview();
                    return true;
                });
    }

    private void awaitRegistered(TaskManager taskManager) throws IOException, InterruptedException {
        Awaitility.await(taskManager.resourceId() + " registered (see " + taskManager.logFile() + ")")
                .atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast(taskManager.resourceId() + " exited; see " + taskManager.logFile(),
                        () -> !taskManager.process().isAlive())
                .until(() -> rest.taskManagerIds().contains(taskManager.resourceId()));
    }

    private List<String> withConfigDir(List<String> dynamicProperties) {
        List<String> arguments = new ArrayList<>(List.of("--configDir", confDir.toString()));
        arguments.addAll(dynamicProperties);
        return arguments;
    }

    private Process launch(String name, List<String> memoryFlags, Path logFile, String mainClass,
            List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(TIMEOUT_COMMAND)) {
            // coreutils' timeout bounds the JVM's life even if this JVM is killed and cannot stop it
            command.addAll(List.of(TIMEOUT_COMMAND.toString(), "--kill-after=10",
                    settings.maxLifetime().toSeconds() + "s"));
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(memoryFlags);
        command.add("-XX:+UseG1GC");
        command.addAll(javaModuleFlags());
        command.add("-Dlog.file=" + logFile);
        command.add("-Dlog4j2.configurationFile=" + confDir.resolve("log4j2.properties").toUri());
        command.addAll(List.of("-cp", lib + "/*", mainClass));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("log").resolve(name + ".out").toFile());
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        builder.environment().put("FLINK_LIB_DIR", lib.toString());
        builder.environment().put("FLINK_PLUGINS_DIR", workDir.resolve("plugins").toString());
        builder.environment().put("FLINK_LOG_DIR", workDir.resolve("log").toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(workDir.resolve("log"));
        Files.createDirectories(workDir.resolve("plugins"));
        Files.createDirectories(workDir.resolve("jobmanager"));
        Map<String, String> config = new LinkedHashMap<>();
        // loopback only: every server socket binds 127.0.0.1 and advertises it
        config.put("jobmanager.rpc.address", "127.0.0.1");
        config.put("jobmanager.bind-host", "127.0.0.1");
        config.put("jobmanager.rpc.port", String.valueOf(freePort()));
        config.put("taskmanager.host", "127.0.0.1");
        config.put("taskmanager.bind-host", "127.0.0.1");
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.port", String.valueOf(restPort));
        config.put("jobmanager.memory.process.size", settings.jobManagerMemory());
        config.put("taskmanager.memory.process.size", settings.taskManagerMemory());
        config.put("taskmanager.numberOfTaskSlots", String.valueOf(settings.slotsPerTaskManager()));
        // as the README advises for a cluster: a delivery batch fits one network buffer, in-flight data bounded
        config.put("taskmanager.memory.segment-size", "128kb");
        config.put("taskmanager.network.memory.buffer-debloat.enabled", "true");
        config.put("taskmanager.network.memory.buffer-debloat.target", "100ms");
        config.put("heartbeat.interval", settings.heartbeatInterval().toMillis() + "ms");
        config.put("heartbeat.timeout", settings.heartbeatTimeout().toMillis() + "ms");
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "2147483647");
        config.put("restart-strategy.fixed-delay.delay", settings.restartDelay().toMillis() + "ms");
        // the REST API caches job details this long; the default 3 s would hide short states such as RESTARTING
        config.put("web.refresh-interval", "500ms");
        config.put("blob.storage.directory", workDir.resolve("jobmanager/blobs").toString());
        config.put("web.upload.dir", workDir.resolve("jobmanager/uploads").toString());
        config.put("web.tmpdir", workDir.resolve("jobmanager/web").toString());
        config.put("io.tmp.dirs", workDir.resolve("jobmanager/tmp").toString());
        StringBuilder yaml = new StringBuilder("# written by StandaloneFlinkCluster for one run\n");
        config.forEach((key, value) -> yaml.append(key).append(": \"").append(value).append("\"\n"));
        Files.writeString(confDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME), yaml);
        Files.writeString(confDir.resolve("log4j2.properties"), String.join("\n",
                // Log4j's own status messages (e.g. about Flink's extra log arguments) are noise here
                "status = error",
                "appender.file.type = File",
                "appender.file.name = FILE",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-50c{1.} - %m%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
    }

    /**
     * Flink on Java 17 needs flink-dist's {@code --add-opens}/{@code --add-exports}. The build passes the
     * project's list ({@code flink.jvm.opens}) to this JVM; the cluster JVMs get the same.
     */
    private static List<String> javaModuleFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
                .toList();
    }

    /** The JVM of a launched process: the process itself, or the child of its {@code timeout} wrapper. */
    private static ProcessHandle jvmOf(Process process) {
        AtomicReference<ProcessHandle> jvm = new AtomicReference<>(process.toHandle());
        try {
            Awaitility.await("the JVM under " + process.pid()).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        var child = process.children()
                                .filter(handle -> handle.info().command().orElse("").endsWith("java")).findFirst();
                        child.ifPresent(jvm::set);
                        return child.isPresent() || process.info().command().orElse("").endsWith("java")
                                || !process.isAlive();
                    });
        } catch (ConditionTimeoutException notFound) {
            // no java child showed up: the process itself is the best handle there is
        }
        return jvm.get();
    }

    private static List<String> splitFlags(String flags) {
        return new ArrayList<>(Arrays.stream(flags.trim().split("\\s+")).filter(flag -> !flag.isEmpty()).toList());
    }

    /** The cluster's lib folder: the system property, else {@code docker/local-flink/target/lib} above the cwd. */
    static Path findLib() throws IOException {
        String configured = System.getProperty(LIB_PROPERTY);
        if (configured != null) {
            Path lib = Paths.get(configured).toAbsolutePath();
            if (Files.isDirectory(lib)) {
                return lib;
            }
            throw new IOException("no Flink cluster jars at " + lib + " (" + LIB_PROPERTY
                    + "); build them with: mvn -q -pl docker/local-flink package");
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path lib = dir.resolve(LIB_RELATIVE);
            if (Files.isDirectory(lib)) {
                return lib;
            }
        }
        throw new IOException("no Flink cluster jars found (" + LIB_RELATIVE + "); build them with: "
                + "mvn -q -pl docker/local-flink package");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** SIGKILL to a launched process and its JVM (killing only the wrapper would leave the JVM running). */
    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Stops the TaskManagers, then the JobManager: SIGTERM, and SIGKILL for any that outlives the timeout. */
    @Override
    public void close() {
        List<Process> stopOrder = new ArrayList<>();
        taskManagers.forEach(taskManager -> stopOrder.add(taskManager.process()));
        if (jobManager != null) {
            stopOrder.add(jobManager);
        }
        stopOrder.forEach(Process::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Process process : processes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    killTree(process);
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                killTree(process);
                Thread.currentThread().interrupt();
            }
        }
        if (rest != null) {
            try {
                rest.close();
            } catch (IOException ignored) {
                // nothing is left to release once the processes are gone
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or about to: it stops the processes
        }
    }
}
