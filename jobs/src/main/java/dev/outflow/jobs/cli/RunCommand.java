package dev.outflow.jobs.cli;

import dev.outflow.jobs.JobSettings;
import dev.outflow.jobs.OutflowJob;
import dev.outflow.jobs.RetryTopic;
import dev.outflow.jobs.SuppressionTopic;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code outflow run}: the destinations job against an existing Kafka cluster. Under {@code flink run} the same
 * flags go to the job jar's main class.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the destinations job against an existing Kafka cluster (locally, or on a Flink "
                + "cluster when started with flink run).")
public final class RunCommand implements Callable<Integer> {

    private static final Pattern OFFSETS = Pattern.compile("committed|earliest|latest|timestamp:\\d+");

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "destination catalog (YAML or JSON)")
    Path config;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers")
    String bootstrapServers;

    @Option(names = "--input-topic", defaultValue = JobSettings.DEFAULT_INPUT_TOPIC,
            description = "topic of Segment events (default: ${DEFAULT-VALUE})")
    String inputTopic;

    @Option(names = "--delivery-log-topic", defaultValue = JobSettings.DEFAULT_DELIVERY_LOG_TOPIC,
            description = "topic for delivery-log records (default: ${DEFAULT-VALUE})")
    String deliveryLogTopic;

    @Option(names = "--dead-letter-topic", defaultValue = JobSettings.DEFAULT_DEAD_LETTER_TOPIC,
            description = "topic for dead letters (default: ${DEFAULT-VALUE})")
    String deadLetterTopic;

    @Option(names = "--retry-topic", defaultValue = JobSettings.DEFAULT_RETRY_TOPIC,
            description = "topic through which events waiting for a retry come back; created when missing "
                    + "(default: ${DEFAULT-VALUE})")
    String retryTopic;

    @Option(names = "--group-id", defaultValue = "outflow", description = "consumer group (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(names = "--starting-offsets", defaultValue = "committed",
            description = "where to start without state: committed (else earliest), earliest, latest, "
                    + "or timestamp:<epoch-ms> to replay from a point in time (default: ${DEFAULT-VALUE})")
    String startingOffsets;

    @Option(names = "--source-id-header", defaultValue = RawEventDeserializationSchema.DEFAULT_SOURCE_ID_HEADER,
            description = "Kafka header carrying the source id (default: ${DEFAULT-VALUE})")
    String sourceIdHeader;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class,
            description = "checkpoint interval (default: ${DEFAULT-VALUE})")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "URI", description = "checkpoint directory, e.g. file:///var/outflow/checkpoints")
    String checkpointDir;

    @Option(names = "--parallelism", defaultValue = "0", description = "job parallelism (0: the environment's default)")
    int parallelism;

    @Option(names = "--async-capacity", defaultValue = "256",
            description = "batches in flight per delivery subtask (default: ${DEFAULT-VALUE})")
    int asyncCapacity;

    @Option(names = "--exactly-once-outputs",
            description = "write the delivery log and dead letters in Kafka transactions")
    boolean exactlyOnceOutputs;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "extra Kafka client property for the source and the sinks (repeatable)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        JobSettings settings = settings();
        DestinationCatalog catalog = new CatalogLoader().load(config);
        System.out.printf("outflow: %d destination(s) from %s; reading %s at %s%n", catalog.destinations().size(),
                config, inputTopic, bootstrapServers);
        SuppressionTopic.check(settings, catalog).ifPresent(warning -> System.err.println("outflow: warning: "
                + warning));
        if (RetryTopic.ensureExists(settings)) {
            System.out.printf("outflow: created the retry topic %s%n", settings.retryTopic());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                OutflowJob.localClusterConfiguration());
        OutflowJob.build(env, settings, catalog);
        env.execute(OutflowJob.JOB_NAME);
        return 0;
    }

    JobSettings settings() {
        if (!OFFSETS.matcher(startingOffsets).matches()) {
            throw new OutflowCli.BadInputException("--starting-offsets: '" + startingOffsets
                    + "' is not one of committed, earliest, latest, timestamp:<epoch-ms>");
        }
        if (asyncCapacity < 1 || parallelism < 0) {
            throw new OutflowCli.BadInputException("--async-capacity must be at least 1 and --parallelism at least 0");
        }
        if (checkpointInterval.toMillis() < 100) {
            throw new OutflowCli.BadInputException("--checkpoint-interval must be at least 100ms");
        }
        return new JobSettings(config, bootstrapServers, inputTopic, deliveryLogTopic, deadLetterTopic, retryTopic,
                groupId,
                startingOffsets, sourceIdHeader, checkpointInterval.toMillis(), checkpointDir, parallelism,
                asyncCapacity, exactlyOnceOutputs, kafkaProperties);
    }
}
