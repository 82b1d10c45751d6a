package dev.outflow.jobs;

/**
 * Operator uids. They name the state in checkpoints and savepoints: never change one once a job has run with it,
 * or the state behind it is dropped on restore.
 */
public final class Uids {

    public static final String KAFKA_SOURCE = "kafka-source-events";
    public static final String PARSE_AND_ROUTE = "parse-and-route";
    public static final String BATCHER = "destination-batcher";
    public static final String HTTP_DELIVERY = "http-delivery";
    public static final String FUNCTION_DELIVERY = "function-delivery";
    public static final String OUTCOMES = "delivery-outcomes";
    /** The delivery log's outcomes of delivery attempts (before there were three sinks, the whole delivery log). */
    public static final String DELIVERY_LOG_SINK = "kafka-sink-delivery-log";
    public static final String DELIVERY_LOG_ROUTING_SINK = "kafka-sink-delivery-log-routing";
    public static final String DELIVERY_LOG_BATCHING_SINK = "kafka-sink-delivery-log-batching";
    public static final String DEAD_LETTER_SINK = "kafka-sink-dead-letters";
    public static final String RETRY_SOURCE = "kafka-source-retries";
    public static final String RETRY_SINK = "kafka-sink-retries";
    public static final String SUPPRESSION_SOURCE = "kafka-source-suppressions";

    private Uids() {}
}
