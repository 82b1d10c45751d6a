package dev.outflow.jobs;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the destinations job needs besides the catalog, typed and immutable. Built from the command line.
 *
 * @param catalogPath the destination catalog file
 * @param bootstrapServers Kafka bootstrap servers
 * @param inputTopic topic of Segment events
 * @param deliveryLogTopic topic of delivery-log records
 * @param deadLetterTopic topic of dead letters
 * @param retryTopic topic through which events waiting for a retry come back to the batcher (created when missing)
 * @param groupId consumer group (its committed offsets are where a restarted job without state resumes)
 * @param startingOffsets {@code committed} (falls back to earliest), {@code earliest}, {@code latest} or
 *     {@code timestamp:<epoch-ms>}
 * @param sourceIdHeader Kafka header carrying the source id
 * @param checkpointIntervalMs checkpoint interval
 * @param checkpointDir checkpoint directory URI, or null for the cluster's default
 * @param parallelism job parallelism, or 0 for the environment's default
 * @param asyncCapacity batches in flight per delivery subtask
 * @param exactlyOnceOutputs write the delivery log and dead letters transactionally
 * @param kafkaProperties extra Kafka client properties for the source and the sinks
 */
public record JobSettings(
        Path catalogPath,
        String bootstrapServers,
        String inputTopic,
        String deliveryLogTopic,
        String deadLetterTopic,
        String retryTopic,
        String groupId,
        String startingOffsets,
        String sourceIdHeader,
        long checkpointIntervalMs,
        String checkpointDir,
        int parallelism,
        int asyncCapacity,
        boolean exactlyOnceOutputs,
        Map<String, String> kafkaProperties)
        implements Serializable {

    public static final String DEFAULT_INPUT_TOPIC = "segment-events";
    public static final String DEFAULT_DELIVERY_LOG_TOPIC = "outflow-delivery-log";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "outflow-dead-letters";
    public static final String DEFAULT_RETRY_TOPIC = "outflow-retries";

    public JobSettings {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Settings with the default retry topic. */
    public JobSettings(Path catalogPath, String bootstrapServers, String inputTopic, String deliveryLogTopic,
            String deadLetterTopic, String groupId, String startingOffsets, String sourceIdHeader,
            long checkpointIntervalMs, String checkpointDir, int parallelism, int asyncCapacity,
            boolean exactlyOnceOutputs, Map<String, String> kafkaProperties) {
        this(catalogPath, bootstrapServers, inputTopic, deliveryLogTopic, deadLetterTopic, DEFAULT_RETRY_TOPIC,
                groupId, startingOffsets, sourceIdHeader, checkpointIntervalMs, checkpointDir, parallelism,
                asyncCapacity, exactlyOnceOutputs, kafkaProperties);
    }

    /** These settings reading and writing another retry topic. */
    public JobSettings withRetryTopic(String topic) {
        return new JobSettings(catalogPath, bootstrapServers, inputTopic, deliveryLogTopic, deadLetterTopic, topic,
                groupId, startingOffsets, sourceIdHeader, checkpointIntervalMs, checkpointDir, parallelism,
                asyncCapacity, exactlyOnceOutputs, kafkaProperties);
    }
}
