package dev.outflow.schemas.kafka;

import dev.outflow.schemas.event.RawEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/**
 * Reads input records without interpreting them, so that parsing failures are handled (dead-lettered) by the job
 * rather than failing the source. The source id comes from a Kafka header when the producer sets one.
 */
public final class RawEventDeserializationSchema implements KafkaRecordDeserializationSchema<RawEvent> {

    /** The header Outflow reads the source id from unless told otherwise. */
    public static final String DEFAULT_SOURCE_ID_HEADER = "source-id";

    private final String sourceIdHeader;

    public RawEventDeserializationSchema(String sourceIdHeader) {
        this.sourceIdHeader = sourceIdHeader;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
        Header header = record.headers().lastHeader(sourceIdHeader);
        String sourceId = header == null || header.value() == null
                ? null
                : new String(header.value(), StandardCharsets.UTF_8);
        out.collect(new RawEvent(record.topic(), record.partition(), record.offset(), record.timestamp(), sourceId,
                record.value()));
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return TypeInformation.of(RawEvent.class);
    }
}
