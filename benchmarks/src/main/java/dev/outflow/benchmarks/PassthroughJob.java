package dev.outflow.benchmarks;

import dev.outflow.jobs.JobSettings;
import dev.outflow.jobs.OutflowJob;
import dev.outflow.schemas.event.Json;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.event.SegmentEvent;
import dev.outflow.schemas.event.SegmentEventParser;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The throughput ceiling: the job's own Kafka source, state backend, checkpoints and Kafka sink, with only the
 * Segment parser and a re-serialization in between (no routing, batching or HTTP).
 */
final class PassthroughJob {

    private PassthroughJob() {}

    static void build(StreamExecutionEnvironment env, JobSettings settings, String outputTopic) {
        env.configure(OutflowJob.stateAndCheckpoints(settings));
        env.enableCheckpointing(settings.checkpointIntervalMs());
        env.setParallelism(settings.parallelism());
        env.fromSource(OutflowJob.kafkaSource(settings), WatermarkStrategy.noWatermarks(),
                        "kafka: " + settings.inputTopic())
                .uid("passthrough-source")
                .flatMap(new ParseAndSerialize())
                .uid("passthrough-parse")
                .name("parse and re-serialize")
                .sinkTo(OutflowJob.sink(settings, KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(outputTopic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build(), "passthrough"))
                .uid("passthrough-sink")
                .name("kafka: " + outputTopic);
    }

    /** Parses a record as the job does and writes each valid event back as JSON. */
    static final class ParseAndSerialize implements FlatMapFunction<RawEvent, String> {
        private static final long serialVersionUID = 1L;
        private static final SegmentEventParser PARSER = new SegmentEventParser();

        @Override
        public void flatMap(RawEvent raw, Collector<String> out) {
            for (SegmentEvent event : PARSER.parse(raw).events()) {
                out.collect(Json.toString(event.json()));
            }
        }
    }
}
