package dev.outflow.operators.batching;

import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * Runs a {@link DestinationBatcher} and, right before each checkpoint barrier, has it write what it keeps on the
 * heap (open batches, messageIds seen since the last checkpoint) to keyed state, key by key. Only an operator can
 * do this: the barrier hook and switching the current key are not open to process functions.
 */
public final class DestinationBatchOperator
        extends KeyedCoProcessOperator<String, RoutedEvent, ParkedBatch, DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    public DestinationBatchOperator(DestinationBatcher batcher) {
        super(batcher);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        DestinationBatcher batcher = (DestinationBatcher) getUserFunction();
        for (String key : batcher.keysToSpill()) {
            setCurrentKey(key);
            batcher.spill(key);
        }
    }
}
