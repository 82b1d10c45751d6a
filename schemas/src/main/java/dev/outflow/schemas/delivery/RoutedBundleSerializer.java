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
 * Writes a {@link RoutedBundle} between routing and batching: the pair count, the event's fields once (messageId,
 * type, origin, routing time), then per pair its destination, shard and payload, where a payload that is the same
 * array as an earlier pair's is written as a reference to it and reads back as one shared array.
 */
public final class RoutedBundleSerializer extends ImmutableRecordSerializer<RoutedBundle> {

    private static final long serialVersionUID = 1L;

    public static final RoutedBundleSerializer INSTANCE = new RoutedBundleSerializer();

    /**
     * In place of a payload's length, {@code SAME_PAYLOAD - i}: the pair shares the {@code i}-th distinct payload
     * written before it in the bundle (-1 is a null payload).
     */
    private static final int SAME_PAYLOAD = -2;
    /** Distinct payloads a later pair may refer to; past these, a payload is written out again. */
    private static final int REFERABLE_PAYLOADS = 16;

    @Override
    public void serialize(RoutedBundle bundle, DataOutputView target) throws IOException {
        RoutedEvent[] events = bundle.events();
        RoutedEvent first = events[0];
        target.writeInt(events.length);
        writeString(first.messageId(), target);
        writeRepeatedString(first.eventType(), target);
        writeString(first.origin(), target);
        target.writeLong(first.routedAt());
        byte[][] written = new byte[Math.min(events.length, REFERABLE_PAYLOADS)][];
        int distinct = 0;
        for (RoutedEvent event : events) {
            writeRepeatedString(event.destinationId(), target);
            target.writeInt(event.shard());
            byte[] payload = event.payload();
            int earlier = indexOf(written, distinct, payload);
            if (earlier >= 0) {
                target.writeInt(SAME_PAYLOAD - earlier);
            } else {
                writeBytes(payload, target);
                if (payload != null && distinct < written.length) {
                    written[distinct++] = payload;
                }
            }
        }
    }

    private static int indexOf(byte[][] written, int count, byte[] payload) {
        for (int i = 0; i < count; i++) {
            if (written[i] == payload) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public RoutedBundle deserialize(DataInputView source) throws IOException {
        int count = source.readInt();
        String messageId = readString(source);
        String eventType = readRepeatedString(source);
        String origin = readString(source);
        long routedAt = source.readLong();
        RoutedEvent[] events = new RoutedEvent[count];
        byte[][] read = new byte[Math.min(count, REFERABLE_PAYLOADS)][];
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            String destinationId = readRepeatedString(source);
            int shard = source.readInt();
            int length = source.readInt();
            byte[] payload;
            if (length <= SAME_PAYLOAD) {
                payload = read[SAME_PAYLOAD - length];
            } else if (length < 0) {
                payload = null;
            } else {
                payload = new byte[length];
                source.readFully(payload);
                if (distinct < read.length) {
                    read[distinct++] = payload;
                }
            }
            events[i] = new RoutedEvent(destinationId, shard, messageId, eventType, payload, origin, routedAt);
        }
        return new RoutedBundle(events);
    }

    @Override
    public TypeSerializerSnapshot<RoutedBundle> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from checkpoints (a bundle is never kept in state, only in flight). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RoutedBundle> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes Flink pick this serializer wherever a {@link RoutedBundle} goes (see the annotation on the record). */
    public static final class Factory extends TypeInfoFactory<RoutedBundle> {
        @Override
        public TypeInformation<RoutedBundle> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new ImmutableRecordTypeInfo<>(RoutedBundle.class, INSTANCE);
        }
    }
}
