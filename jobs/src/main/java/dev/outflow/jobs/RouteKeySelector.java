package dev.outflow.jobs;

import dev.outflow.schemas.delivery.RoutedBundle;

import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys routed events by destination shard, the unit of batching and of delivery parallelism: a bundle by its first
 * pair's, routing having bundled only pairs whose keys land on the same subtask.
 */
public final class RouteKeySelector implements KeySelector<RoutedBundle, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(RoutedBundle bundle) {
        return bundle.routeKey();
    }
}
