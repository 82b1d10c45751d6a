package dev.outflow.operators.batching;

import dev.outflow.operators.OutputTags;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedBundle;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs a {@link DestinationBatcher} and, right before each checkpoint barrier, has it write what it keeps on the
 * heap (open batches, messageIds seen since the last checkpoint) to keyed state, key by key; and opens the batcher's
 * dedup state in its buckets (namespaces); and switches to each pair's key within a {@link RoutedBundle}. Only an
 * operator can do these: the barrier hook, switching the current key and a state's namespaces are not open to
 * process functions.
 */
public final class DestinationBatchOperator
        extends KeyedCoProcessOperator<String, RoutedBundle, ParkedBatch, DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    private transient KeyGroupRange ownKeyGroups;
    private transient int maxParallelism;

    public DestinationBatchOperator(DestinationBatcher batcher) {
        super(batcher);
    }

    /** The function this operator runs, with the hooks only an operator can serve (restore, bucket namespaces). */
    DestinationBatcher batcher() {
        return (DestinationBatcher) getUserFunction();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        batcher().stateRestored(context.isRestored());
    }

    @Override
    public void open() throws Exception {
        batcher().seenBuckets(
                (bucket, descriptor) -> getPartitionedState(bucket, IntSerializer.INSTANCE, descriptor));
        TaskInfo task = getRuntimeContext().getTaskInfo();
        maxParallelism = task.getMaxNumberOfParallelSubtasks();
        ownKeyGroups = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
                task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        batcher().keySwitch(this::switchToOwnKey);
        super.open();
    }

    /**
     * Makes {@code key} current, after checking that this subtask owns its key group. Routing bundles the pairs it
     * computes to land here; were the two stages ever run at different parallelisms, a pair's state would be
     * written in a key group another subtask owns (RocksDB does not check), to be lost on the next rescale.
     */
    private void switchToOwnKey(String key) {
        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
        if (!ownKeyGroups.contains(keyGroup)) {
            throw new IllegalStateException("routing bundled key '" + key + "' (key group " + keyGroup
                    + ") for this batcher subtask, which owns key groups " + ownKeyGroups
                    + ": the 'parse and route' and 'batch per destination' operators must run at the same "
                    + "parallelism and max parallelism");
        }
        setCurrentKey(key);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        DestinationBatcher batcher = batcher();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (String key : batcher.keysToSpill()) {
            setCurrentKey(key);
            // duplicates found in an open batch on its way to the checkpoint leave before the barrier, as filtered
            batcher.spill(key, now, filtered -> output.collect(OutputTags.FILTERED, new StreamRecord<>(filtered)));
        }
    }
}
