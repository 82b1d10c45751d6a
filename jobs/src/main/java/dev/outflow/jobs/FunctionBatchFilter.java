package dev.outflow.jobs;

import dev.outflow.functions.FunctionDeliveryFunction;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.delivery.DeliveryBatch;

import org.apache.flink.api.common.functions.FilterFunction;

/** Keeps the batches of function destinations, or those of every other type: the split before delivery. */
final class FunctionBatchFilter implements FilterFunction<DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    private final DestinationCatalog catalog;
    private final boolean functions;

    FunctionBatchFilter(DestinationCatalog catalog, boolean functions) {
        this.catalog = catalog;
        this.functions = functions;
    }

    @Override
    public boolean filter(DeliveryBatch batch) {
        return FunctionDeliveryFunction.isFunction(catalog.get(batch.destinationId())) == functions;
    }
}
