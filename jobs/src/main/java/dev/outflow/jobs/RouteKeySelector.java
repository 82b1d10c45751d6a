package dev.outflow.jobs;

import dev.outflow.schemas.delivery.RoutedEvent;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys routed events by destination shard, the unit of batching and of delivery parallelism. */
public final class RouteKeySelector implements KeySelector<RoutedEvent, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(RoutedEvent event) {
        return event.routeKey();
    }
}
