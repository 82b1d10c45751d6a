package dev.outflow.jobs;

import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Stands in for the suppression topic when the catalog names none: hung off the input, it emits nothing and lives
 * as long as the job. (Flink's collection sources cannot be empty, and a source of our own would be a second
 * source to keep.)
 */
final class NoSuppressionChanges implements FlatMapFunction<RawEvent, SuppressionChange> {

    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(RawEvent event, Collector<SuppressionChange> out) {
        // nothing to suppress beyond the catalog's file
    }
}
