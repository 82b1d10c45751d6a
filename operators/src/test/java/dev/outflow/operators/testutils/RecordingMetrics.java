package dev.outflow.operators.testutils;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real task metric group whose registry remembers every metric by destination, so tests read the counters the
 * operators updated. Keys are {@code <destination>.<name>}, or {@code <destination>.<rule>.<name>} under a rule.
 */
public final class RecordingMetrics {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private final TaskManagerMetricGroup taskManager;
    private final TaskMetricGroup task;

    public RecordingMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> metrics.put(key(group, name), metric))
                .build();
        taskManager = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate());
        task = taskManager.addJob(new JobID(), "test-job").addTask(ExecutionAttemptID.randomId(), "test-task");
    }

    public TaskMetricGroup taskGroup() {
        return task;
    }

    /** The count of a counter, or 0 when the operator never created it. */
    public long count(String key) {
        Metric metric = metrics.get(key);
        return metric == null ? 0 : ((Counter) metric).getCount();
    }

    public Histogram histogram(String key) {
        return (Histogram) metrics.get(key);
    }

    public Map<String, Metric> all() {
        return Map.copyOf(metrics);
    }

    private static String key(AbstractMetricGroup<?> group, String name) {
        Map<String, String> variables = group.getAllVariables();
        String destination = variables.get("<destination>");
        String rule = variables.get("<rule>");
        if (destination == null) {
            return name;
        }
        return destination + "." + (rule == null ? "" : rule + ".") + name;
    }
}
