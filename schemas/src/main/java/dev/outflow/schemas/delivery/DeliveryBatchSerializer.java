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

/** Writes a {@link DeliveryBatch}: destination, shard, the events (with {@link RoutedEventSerializer}), sizes. */
public final class DeliveryBatchSerializer extends ImmutableRecordSerializer<DeliveryBatch> {

    private static final long serialVersionUID = 1L;

    public static final DeliveryBatchSerializer INSTANCE = new DeliveryBatchSerializer();

    @Override
    public void serialize(DeliveryBatch batch, DataOutputView target) throws IOException {
        writeRepeatedString(batch.destinationId(), target);
        target.writeInt(batch.shard());
        RoutedEvent[] events = batch.events();
        target.writeInt(events.length);
        for (RoutedEvent event : events) {
            RoutedEventSerializer.INSTANCE.serialize(event, target);
        }
        target.writeLong(batch.payloadBytes());
        target.writeLong(batch.formedAt());
    }

    @Override
    public DeliveryBatch deserialize(DataInputView source) throws IOException {
        String destinationId = readRepeatedString(source);
        int shard = source.readInt();
        RoutedEvent[] events = new RoutedEvent[source.readInt()];
        for (int i = 0; i < events.length; i++) {
            events[i] = RoutedEventSerializer.INSTANCE.deserialize(source);
        }
        return new DeliveryBatch(destinationId, shard, events, source.readLong(), source.readLong());
    }

    @Override
    public TypeSerializerSnapshot<DeliveryBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from checkpoints and savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeliveryBatch> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes Flink pick this serializer wherever a {@link DeliveryBatch} goes (see the annotation on the record). */
    public static final class Factory extends TypeInfoFactory<DeliveryBatch> {
        @Override
        public TypeInformation<DeliveryBatch> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new ImmutableRecordTypeInfo<>(DeliveryBatch.class, INSTANCE);
        }
    }
}
