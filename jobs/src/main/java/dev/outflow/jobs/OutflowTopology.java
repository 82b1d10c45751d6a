package dev.outflow.jobs;

import dev.outflow.functions.FunctionDeliveryFunction;
import dev.outflow.functions.SettingsKeySource;
import dev.outflow.operators.OutputTags;
import dev.outflow.operators.batching.DestinationBatchOperator;
import dev.outflow.operators.batching.DestinationBatcher;
import dev.outflow.operators.delivery.DeliveryOutcomeFunction;
import dev.outflow.operators.delivery.DestinationLane;
import dev.outflow.operators.delivery.HttpDeliveryFunction;
import dev.outflow.operators.delivery.HttpTransport;
import dev.outflow.operators.routing.ChainedParseAndRouteFunction;
import dev.outflow.operators.routing.ParseAndRouteFunction;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.DeadLetter;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.DeliveryLogRecord;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedBundle;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.concurrent.TimeUnit;

/**
 * The destinations topology, from raw input records to the delivery log, the dead letters and the retries:
 *
 * <pre>
 * input -> parse and route -> keyBy(destination#shard) -> batch -> by destination -> deliver (async HTTP) -> account outcomes
 *              ^  |                              ^                                           |  |  |
 * suppression -+  |  (broadcast: users suppressed from the moment their record arrives)       |  |  |
 * changes         |                              ^                                           |  |  |
 *                 |               retry topic ---+ (parked until due)      retries <---------+  |  |
 *                 |  filtered pairs -----------------------------------------> delivery log <---+  |
 *                 |  malformed input, unreadable suppression records --------> dead letters <------+
 * </pre>
 *
 * Without a suppression topic in the catalog, routing has the input alone and Flink chains it to the source. When
 * every destination batches in one shard, "by destination" is no shuffle at all: delivery runs in the batcher's
 * task ({@link #deliversFromBatcher}).
 *
 * <p>Sources and sinks are not part of it, so tests and the job main run exactly the same operators. The retry loop
 * is closed outside, through a Kafka topic: {@link Outputs#retries()} goes to it and {@code retryInput} reads it.
 */
public final class OutflowTopology {

    /**
     * The output streams of the job. Every input event ends up in the delivery log (delivered or filtered) or
     * the dead letters for each destination; {@code retries} holds those still on their way.
     *
     * <p>The delivery log comes in three parts, by the operator that writes them: final outcomes of delivery
     * attempts, pairs filtered at routing, and duplicates filtered at batching. Each part gets its own sink, chained
     * to the operator that makes it, so a record goes to Kafka from that operator's thread; a union of the three
     * would be one more network hop for every record (three per event in the throughput benchmark).
     *
     * @param outcomes delivered, or dead-lettered after attempts
     * @param filteredAtRouting filtered by a destination's rules, or dead-lettered because no body could be built
     * @param filteredAtBatching duplicates of a messageId within the destination's dedup window
     */
    public record Outputs(
            DataStream<DeliveryLogRecord> outcomes, DataStream<DeliveryLogRecord> filteredAtRouting,
            DataStream<DeliveryLogRecord> filteredAtBatching, DataStream<DeadLetter> deadLetters,
            DataStream<ParkedBatch> retries) {}

    private OutflowTopology() {}

    public static Outputs build(DataStream<RawEvent> input, DataStream<ParkedBatch> retryInput,
            DataStream<SuppressionChange> suppressionChanges, DestinationCatalog catalog,
            HttpTransport.Factory transport, int asyncCapacity) {
        return build(input, retryInput, suppressionChanges, catalog, transport, asyncCapacity,
                SettingsKeySource.environment());
    }

    /**
     * As above; {@code settingsKeys} finds the key of function destinations' encrypted settings in the task.
     * {@code suppressionChanges} is broadcast to every routing subtask (the job reads it from the catalog's
     * suppression topic); null when the catalog has none, and routing then has one input and chains to the source.
     */
    public static Outputs build(DataStream<RawEvent> input, DataStream<ParkedBatch> retryInput,
            DataStream<SuppressionChange> suppressionChanges, DestinationCatalog catalog,
            HttpTransport.Factory transport, int asyncCapacity, SettingsKeySource settingsKeys) {
        SingleOutputStreamOperator<RoutedBundle> routed = (suppressionChanges == null
                ? input.process(new ChainedParseAndRouteFunction(catalog))
                : input.connect(suppressionChanges.broadcast(ParseAndRouteFunction.SUPPRESSED_USERS))
                        .process(new ParseAndRouteFunction(catalog)))
                .uid(Uids.PARSE_AND_ROUTE)
                .name("parse and route");

        SingleOutputStreamOperator<DeliveryBatch> batches = routed
                .connect(retryInput)
                .keyBy(new RouteKeySelector(), new ParkedRouteKeySelector())
                .transform("batch per destination", TypeInformation.of(DeliveryBatch.class),
                        new DestinationBatchOperator(new DestinationBatcher(catalog)))
                .uid(Uids.BATCHER)
                .name("batch per destination");

        int capacity = Math.max(asyncCapacity, laneCapacity(catalog));
        // function destinations run JavaScript instead of posting; the split exists only when there are some
        DataStream<DeliveryBatch> httpBatches = batches;
        DataStream<DeliveryAttempt> functionAttempts = null;
        if (FunctionDeliveryFunction.anyFunction(catalog)) {
            httpBatches = batches.filter(new FunctionBatchFilter(catalog, false)).name("webhook batches");
            functionAttempts = AsyncDataStream
                    .unorderedWait(batches.filter(new FunctionBatchFilter(catalog, true)).name("function batches"),
                            new FunctionDeliveryFunction(catalog, transport, settingsKeys),
                            asyncTimeoutMs(catalog), TimeUnit.MILLISECONDS, capacity)
                    .uid(Uids.FUNCTION_DELIVERY)
                    .name("run destination functions");
        }
        SingleOutputStreamOperator<DeliveryAttempt> attempts = AsyncDataStream
                .unorderedWait(deliversFromBatcher(catalog) ? httpBatches
                                : httpBatches.partitionCustom(new DestinationPartitioner(),
                                        new DestinationPartitioner.BatchDestination()),
                        new HttpDeliveryFunction(catalog, transport),
                        asyncTimeoutMs(catalog), TimeUnit.MILLISECONDS, capacity)
                .uid(Uids.HTTP_DELIVERY)
                .name("deliver over http");

        SingleOutputStreamOperator<DeliveryLogRecord> outcomes = (functionAttempts == null
                ? attempts : attempts.union(functionAttempts))
                .process(new DeliveryOutcomeFunction(catalog))
                .uid(Uids.OUTCOMES)
                .name("account outcomes");

        DataStream<DeadLetter> deadLetters = routed.getSideOutput(OutputTags.DEAD_LETTERS)
                .union(batches.getSideOutput(OutputTags.DEAD_LETTERS), outcomes.getSideOutput(OutputTags.DEAD_LETTERS));
        return new Outputs(outcomes, routed.getSideOutput(OutputTags.FILTERED),
                batches.getSideOutput(OutputTags.FILTERED), deadLetters, outcomes.getSideOutput(OutputTags.RETRIES));
    }

    /**
     * Whether every destination forms its batches under one key (one shard, the default), and so on one subtask:
     * then the delivery operator takes the batches where they are formed, in the batcher's task (Flink chains the
     * two), and that subtask holds the destination's one lane. Otherwise a destination's shards may batch on several
     * subtasks, and its batches cross a network shuffle to the one subtask that holds its lane
     * ({@link DestinationPartitioner}). Serializing each batch and reading it back there took about a fifth of each
     * side's CPU: in the throughput benchmark, run in turn, the two took 8.0-9.6 µs per event chained against
     * 10.8-11.3 apart.
     */
    static boolean deliversFromBatcher(DestinationCatalog catalog) {
        for (DestinationConfig destination : catalog.deliveryTargets()) {
            if (destination.batching().shards() > 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Async I/O slots enough for every destination's lane to be full at once (its limit running plus its
     * backlog), twice over, so that a destination that stops answering never takes a healthy one's slots: past
     * its backlog, its batches are deferred back to the batcher instead of queueing (those of a destination that
     * answers and drains its queue within a second still queue).
     */
    static int laneCapacity(DestinationCatalog catalog) {
        int lanes = 0;
        for (DestinationConfig destination : catalog.deliveryTargets()) {
            lanes += (1 + DestinationLane.BACKLOG_FACTOR) * destination.delivery().maxConcurrency();
        }
        return 2 * lanes;
    }

    /**
     * A safety net only: each request has its own timeout, and a batch waits at most behind its lane's backlog
     * (a few request timeouts), never behind other destinations.
     */
    static long asyncTimeoutMs(DestinationCatalog catalog) {
        long slowest = 0;
        for (DestinationConfig destination : catalog.deliveryTargets()) {
            slowest = Math.max(slowest, destination.delivery().timeoutMs());
        }
        return slowest * (DestinationLane.BACKLOG_FACTOR + 2) + 30_000;
    }
}
