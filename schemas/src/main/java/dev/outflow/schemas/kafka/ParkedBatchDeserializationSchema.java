package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.ParkedBatch;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Reads parked batches back from the retry topic ({@link RetryRecordFormat}). Only the job writes that topic, so
 * a record it cannot read is foreign (or from a newer version): it is logged with its address (to be inspected or
 * replayed by hand) and skipped, rather than failing the job over and over and stopping every destination.
 */
public final class ParkedBatchDeserializationSchema implements KafkaRecordDeserializationSchema<ParkedBatch> {

    private static final Logger LOG = LoggerFactory.getLogger(ParkedBatchDeserializationSchema.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParkedBatch> out) {
        if (record.value() == null) {
            return;
        }
        ParkedBatch batch;
        try {
            batch = RetryRecordFormat.read(record.value());
        } catch (IOException | RuntimeException e) {
            LOG.error("Skipping unreadable record at {}/{}/{} of the retry topic: {}", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        // Outside the try: a failure to hand the batch on (the task shutting down) is not an unreadable record, and
        // must fail the read so that the record is read again after the restart, not be skipped.
        out.collect(batch);
    }

    @Override
    public TypeInformation<ParkedBatch> getProducedType() {
        return TypeInformation.of(ParkedBatch.class);
    }
}
