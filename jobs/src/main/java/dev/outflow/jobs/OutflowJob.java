package dev.outflow.jobs;

import dev.outflow.functions.SettingsKeySource;
import dev.outflow.jobs.cli.OutflowCli;
import dev.outflow.operators.delivery.ApacheHttpTransport;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.kafka.DeadLetterSerializationSchema;
import dev.outflow.schemas.kafka.ParkedBatchDeserializationSchema;
import dev.outflow.schemas.kafka.ParkedBatchSerializationSchema;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.kafka.DeliveryLogSerializationSchema;
import dev.outflow.schemas.kafka.RawEventDeserializationSchema;
import dev.outflow.schemas.kafka.SuppressionChangeDeserializationSchema;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The destinations job: Kafka in, HTTP destinations out, delivery log and dead letters back to Kafka.
 *
 * <p>{@code flink run outflow-job.jar --config FILE --bootstrap-servers HOST:PORT ...} enters here; the flags are
 * those of {@code ./outflow run} (see {@code --help}).
 */
public final class OutflowJob {

    public static final String JOB_NAME = "outflow-destinations";

    private OutflowJob() {}

    public static void main(String[] args) {
        int exit = OutflowCli.commandLine().execute(prepend("run", args));
        if (exit != 0) {
            // flink run reports a failed main as a failed submission; the message was printed already.
            throw new IllegalStateException("outflow run exited with code " + exit);
        }
    }

    /** Builds the job into {@code env}: state backend and checkpoints, Kafka source, topology, Kafka sinks. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, DestinationCatalog catalog) {
        build(env, settings, catalog, SettingsKeySource.environment());
    }

    /** As above, with the source of the function settings key (the task managers' environment by default). */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, DestinationCatalog catalog,
            SettingsKeySource settingsKeys) {
        env.configure(stateAndCheckpoints(settings));
        env.enableCheckpointing(settings.checkpointIntervalMs());
        if (settings.parallelism() > 0) {
            env.setParallelism(settings.parallelism());
        }
        DataStream<RawEvent> input = env
                .fromSource(kafkaSource(settings), WatermarkStrategy.noWatermarks(), "kafka: " + settings.inputTopic())
                .uid(Uids.KAFKA_SOURCE);
        DataStream<ParkedBatch> retryInput = env
                .fromSource(retrySource(settings), WatermarkStrategy.noWatermarks(), "kafka: " + settings.retryTopic())
                .uid(Uids.RETRY_SOURCE);
        OutflowTopology.Outputs outputs = OutflowTopology.build(input, retryInput,
                suppressionChanges(env, settings, catalog), catalog,
                ApacheHttpTransport.factory(connectionBudget(catalog)), settings.asyncCapacity(), settingsKeys);
        // one sink per part of the delivery log, each chained to the operator that writes the part (see Outputs)
        outputs.outcomes()
                .sinkTo(sink(settings, new DeliveryLogSerializationSchema(settings.deliveryLogTopic()), "delivery-log"))
                .uid(Uids.DELIVERY_LOG_SINK)
                .name("kafka: " + settings.deliveryLogTopic());
        outputs.filteredAtRouting()
                .sinkTo(sink(settings, new DeliveryLogSerializationSchema(settings.deliveryLogTopic()),
                        "delivery-log-routing"))
                .uid(Uids.DELIVERY_LOG_ROUTING_SINK)
                .name("kafka: " + settings.deliveryLogTopic() + " (filtered at routing)");
        outputs.filteredAtBatching()
                .sinkTo(sink(settings, new DeliveryLogSerializationSchema(settings.deliveryLogTopic()),
                        "delivery-log-batching"))
                .uid(Uids.DELIVERY_LOG_BATCHING_SINK)
                .name("kafka: " + settings.deliveryLogTopic() + " (duplicates)");
        outputs.deadLetters()
                .sinkTo(sink(settings, new DeadLetterSerializationSchema(settings.deadLetterTopic()), "dead-letters"))
                .uid(Uids.DEAD_LETTER_SINK)
                .name("kafka: " + settings.deadLetterTopic());
        outputs.retries()
                .sinkTo(sink(settings, new ParkedBatchSerializationSchema(settings.retryTopic()), "retries"))
                .uid(Uids.RETRY_SINK)
                .name("kafka: " + settings.retryTopic());
    }

    /** Builds and submits without waiting; the caller owns the returned client. */
    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings, DestinationCatalog catalog)
            throws Exception {
        return start(env, settings, catalog, SettingsKeySource.environment());
    }

    public static JobClient start(StreamExecutionEnvironment env, JobSettings settings, DestinationCatalog catalog,
            SettingsKeySource settingsKeys) throws Exception {
        build(env, settings, catalog, settingsKeys);
        return env.executeAsync(JOB_NAME);
    }

    /** Managed memory of the embedded MiniCluster ({@link #localClusterConfiguration}). */
    public static final MemorySize LOCAL_MANAGED_MEMORY = MemorySize.ofMebiBytes(512);

    /**
     * Network buffers of the embedded MiniCluster: a delivery batch (100 events, about 60 KB in the throughput
     * benchmark) spans two of Flink's default 32 KB buffers, and each buffer handed from one task to the next costs
     * a hand-over between threads; with 128 KB a buffer carries four times as many routed events and most batches
     * whole. Only with {@link #LOCAL_DEBLOAT_TARGET}: larger buffers alone hold more events between routing and
     * batching while a slow destination backs the job up.
     */
    public static final MemorySize LOCAL_SEGMENT_SIZE = MemorySize.parse("128kb");

    /** Network memory of the embedded MiniCluster: twice Flink's 64 MB, so that 128 KB buffers still number 1,024. */
    public static final MemorySize LOCAL_NETWORK_MEMORY = MemorySize.ofMebiBytes(128);

    /**
     * Flink's buffer debloating, aiming at 100 ms of in-flight data per input: under backpressure it shrinks the
     * buffers so that what waits between two tasks is what the receiving one gets through in that time. Without
     * it, 128 KB buffers put the healthy destination next to the 2 s one in the deliverability benchmark's
     * {@code slow} profile at a p50 latency of 146 ms instead of 11-21 (with it, 6-14 ms in five runs).
     */
    public static final Duration LOCAL_DEBLOAT_TARGET = Duration.ofMillis(100);

    /**
     * Configuration of an embedded MiniCluster (demo, benchmarks, {@code ./outflow run} without a cluster): managed
     * memory as a TaskManager of a few gigabytes has it. The MiniCluster's own default, 128 MB shared by all slots,
     * leaves RocksDB write buffers of a few megabytes per state: memtables flush every few seconds, compaction
     * runs all the time and every dedup lookup checks the filters of many small files (the throughput benchmark
     * spent 20-30% more CPU per event that way). Network buffers of 128 KB with debloating
     * ({@link #LOCAL_SEGMENT_SIZE}, {@link #LOCAL_DEBLOAT_TARGET}). On a real cluster the cluster's own configuration
     * applies.
     */
    public static Configuration localClusterConfiguration() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, LOCAL_MANAGED_MEMORY);
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, LOCAL_SEGMENT_SIZE);
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, LOCAL_NETWORK_MEMORY);
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, LOCAL_NETWORK_MEMORY);
        conf.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        conf.set(TaskManagerOptions.BUFFER_DEBLOAT_TARGET, LOCAL_DEBLOAT_TARGET);
        return conf;
    }

    /**
     * RocksDB, checkpoints, no Kryo, object reuse; public so the throughput benchmark's passthrough job runs with the
     * same.
     */
    public static Configuration stateAndCheckpoints(JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Nearly every dedup lookup is for a messageId never seen: a bloom filter answers those without reading a
        // data block. Partitioned, because a whole-file filter of a large SST (a megabyte for the dedup state of
        // a few hundred thousand events) that does not fit the block cache is read back and checksummed on every
        // lookup: the throughput benchmark's batcher went from 30 to 500 µs per event that way as its state grew.
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        conf.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
        // The dedup state takes a write per event and destination and is read back only for possible duplicates;
        // leveled compaction rewrote it level after level (RocksDB's compaction threads took 5 µs per event in the
        // throughput benchmark, more as the state grew). Universal compaction rewrites it far less often, for up to
        // twice the disk space while it compacts. Expired entries are still dropped when their files are compacted.
        conf.set(RocksDBConfigurableOptions.COMPACTION_STYLE, CompactionStyle.UNIVERSAL);
        // Most of the state is dedup fingerprints, 64-bit hashes that do not compress: Snappy (RocksDB's default)
        // spent CPU on every flush, compaction and read for little space.
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.NO_COMPRESSION));
        if (settings.checkpointDir() != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir());
        }
        // Every record type of the job is a POJO or record; a silent Kryo fallback would be a bug.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Records are immutable and no function keeps or changes one after emitting it, so chained operators can
        // hand them on instead of copying each (payload bytes included) through its serializer.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return conf;
    }

    /** The job's Kafka source; public so the throughput benchmark's passthrough job reads the same way. */
    public static KafkaSource<RawEvent> kafkaSource(JobSettings settings) {
        Properties properties = new Properties();
        properties.putAll(settings.kafkaProperties());
        return KafkaSource.<RawEvent>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.inputTopic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(startingOffsets(settings.startingOffsets()))
                .setDeserializer(new RawEventDeserializationSchema(settings.sourceIdHeader()))
                .setProperties(properties)
                .setProperty("partition.discovery.interval.ms", "30000")
                .build();
    }

    /**
     * The retry loop's way back. Its own consumer group, starting from the committed offsets (or the beginning):
     * parked events are never skipped, whatever {@code --starting-offsets} says about the input.
     */
    static KafkaSource<ParkedBatch> retrySource(JobSettings settings) {
        Properties properties = new Properties();
        properties.putAll(settings.kafkaProperties());
        return KafkaSource.<ParkedBatch>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.retryTopic())
                .setGroupId(settings.groupId() + "-retries")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ParkedBatchDeserializationSchema())
                .setProperties(properties)
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /**
     * The catalog's suppression topic, read from its earliest offset on a fresh start so the whole compacted list is
     * loaded (after a restore, from the checkpointed offsets: the list itself is in the routing stage's state); null
     * when the catalog names none.
     */
    static DataStream<SuppressionChange> suppressionChanges(StreamExecutionEnvironment env, JobSettings settings,
            DestinationCatalog catalog) {
        String topic = catalog.privacy().suppressionTopic();
        if (topic == null) {
            return null;
        }
        Properties properties = new Properties();
        properties.putAll(settings.kafkaProperties());
        KafkaSource<SuppressionChange> source = KafkaSource.<SuppressionChange>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(topic)
                .setGroupId(settings.groupId() + "-suppressions")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new SuppressionChangeDeserializationSchema())
                .setProperties(properties)
                .setProperty("partition.discovery.interval.ms", "30000")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka: " + topic)
                .uid(Uids.SUPPRESSION_SOURCE);
    }

    static OffsetsInitializer startingOffsets(String spec) {
        if (spec.startsWith("timestamp:")) {
            return OffsetsInitializer.timestamp(Long.parseLong(spec.substring("timestamp:".length())));
        }
        return switch (spec) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> throw new IllegalArgumentException("unknown starting offsets '" + spec
                    + "' (use committed, earliest, latest or timestamp:<epoch-ms>)");
        };
    }

    /** The job's Kafka sinks; public so the throughput benchmark's passthrough job writes the same way. */
    public static <T> KafkaSink<T> sink(JobSettings settings,
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer, String name) {
        Properties properties = new Properties();
        properties.setProperty("linger.ms", "20");
        properties.setProperty("batch.size", String.valueOf(256 * 1024));
        // must stay under the broker's transaction.max.timeout.ms (15 min by default); the sink's default is 1 h
        properties.setProperty("transaction.timeout.ms", String.valueOf(Duration.ofMinutes(5).toMillis()));
        properties.putAll(settings.kafkaProperties());
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(serializer)
                .setKafkaProducerConfig(properties);
        if (settings.exactlyOnceOutputs()) {
            builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix("outflow-" + settings.groupId() + "-" + name);
        } else {
            builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return builder.build();
    }

    /** Enough pooled connections for every destination's full concurrency. */
    private static int connectionBudget(DestinationCatalog catalog) {
        return Math.max(16, catalog.destinations().stream().mapToInt(d -> d.delivery().maxConcurrency()).sum());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
