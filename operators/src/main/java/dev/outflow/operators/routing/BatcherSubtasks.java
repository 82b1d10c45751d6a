package dev.outflow.operators.routing;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.util.HashMap;
import java.util.Map;

/**
 * Which batcher subtask each route key lands on, as Flink's {@code keyBy} places it (key group, then subtask), so
 * that routing can send an event's pairs for one subtask as one {@link dev.outflow.schemas.delivery.RoutedBundle}.
 * It assumes the batcher runs at routing's parallelism and max parallelism, as the topology builds it; the batcher
 * checks every key it is handed against the key groups it owns.
 */
final class BatcherSubtasks {

    /** Route keys whose subtask is kept (a catalog's worth of destinations and shards); past this, computed anew. */
    static final int CACHED_KEYS = 65_536;

    private final int parallelism;
    private final int maxParallelism;
    private final Map<String, Integer> subtaskByKey = new HashMap<>();

    BatcherSubtasks(int parallelism, int maxParallelism) {
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
    }

    int of(String routeKey) {
        if (parallelism == 1) {
            return 0;
        }
        Integer known = subtaskByKey.get(routeKey);
        if (known != null) {
            return known;
        }
        int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(routeKey, maxParallelism, parallelism);
        if (subtaskByKey.size() < CACHED_KEYS) {
            subtaskByKey.put(routeKey, subtask);
        }
        return subtask;
    }
}
