package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Writes a {@link DeliveryLogRecord} on its way to the delivery-log sink (one per event and destination, the most
 * numerous record of the job): its fields in declaration order, the status by its name.
 */
public final class DeliveryLogRecordSerializer extends ImmutableRecordSerializer<DeliveryLogRecord> {

    private static final long serialVersionUID = 1L;

    public static final DeliveryLogRecordSerializer INSTANCE = new DeliveryLogRecordSerializer();

    @Override
    public void serialize(DeliveryLogRecord record, DataOutputView target) throws IOException {
        writeString(record.messageId(), target);
        writeString(record.destinationId(), target);
        writeString(record.status() == null ? null : record.status().name(), target);
        writeString(record.reason(), target);
        target.writeInt(record.httpStatus());
        target.writeInt(record.attempts());
        target.writeLong(record.latencyMs());
        target.writeLong(record.at());
        writeString(record.origin(), target);
    }

    @Override
    public DeliveryLogRecord deserialize(DataInputView source) throws IOException {
        String messageId = readString(source);
        String destinationId = readString(source);
        String status = readString(source);
        return new DeliveryLogRecord(messageId, destinationId, status == null ? null : DeliveryStatus.valueOf(status),
                readString(source), source.readInt(), source.readInt(), source.readLong(), source.readLong(),
                readString(source));
    }

    @Override
    public TypeSerializerSnapshot<DeliveryLogRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from checkpoints and savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeliveryLogRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes Flink pick this serializer wherever a {@link DeliveryLogRecord} goes (see the annotation on it). */
    public static final class Factory extends TypeInfoFactory<DeliveryLogRecord> {
        @Override
        public TypeInformation<DeliveryLogRecord> createTypeInfo(Type type,
                Map<String, TypeInformation<?>> parameters) {
            return new ImmutableRecordTypeInfo<>(DeliveryLogRecord.class, INSTANCE);
        }
    }
}
