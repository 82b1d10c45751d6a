package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link DeliveryLogRecord} on its way to the delivery-log sink: its fields in declaration order, the status
 * by its name, then its events.
 */
public final class DeliveryLogRecordSerializer extends ImmutableRecordSerializer<DeliveryLogRecord> {

    private static final long serialVersionUID = 1L;

    public static final DeliveryLogRecordSerializer INSTANCE = new DeliveryLogRecordSerializer();

    @Override
    public void serialize(DeliveryLogRecord record, DataOutputView target) throws IOException {
        writeRepeatedString(record.destinationId(), target);
        writeRepeatedString(record.status() == null ? null : record.status().name(), target);
        writeString(record.reason(), target);
        target.writeInt(record.httpStatus());
        target.writeLong(record.at());
        target.writeInt(record.events().size());
        for (DeliveryLogRecord.Event event : record.events()) {
            writeString(event.messageId(), target);
            target.writeInt(event.attempts());
            target.writeLong(event.latencyMs());
            writeString(event.origin(), target);
        }
    }

    @Override
    public DeliveryLogRecord deserialize(DataInputView source) throws IOException {
        String destinationId = readRepeatedString(source);
        String status = readRepeatedString(source);
        String reason = readString(source);
        int httpStatus = source.readInt();
        long at = source.readLong();
        int count = source.readInt();
        List<DeliveryLogRecord.Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(new DeliveryLogRecord.Event(readString(source), source.readInt(), source.readLong(),
                    readString(source)));
        }
        return new DeliveryLogRecord(destinationId, status == null ? null : DeliveryStatus.valueOf(status), reason,
                httpStatus, at, events);
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
