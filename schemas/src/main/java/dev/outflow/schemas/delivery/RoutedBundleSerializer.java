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
     * In place of a payload's length, {@code SAME_PAYLOAD - i}: the pair shares the payload of pair {@code i} of the
     * bundle, an earlier one (-1 is a null payload).
     */
    private static final int SAME_PAYLOAD = -2;
    /** How many pairs back a payload is looked for among the earlier ones; past these, it is written out again. */
    private static final int LOOK_BACK_PAIRS = 16;

    @Override
    public void serialize(RoutedBundle bundle, DataOutputView target) throws IOException {
        RoutedEvent[] events = bundle.events();
        RoutedEvent first = events[0];
        target.writeInt(events.length);
        writeString(first.messageId(), target);
        writeRepeatedString(first.eventType(), target);
        writeString(first.origin(), target);
        target.writeLong(first.routedAt());
        for (int i = 0; i < events.length; i++) {
            writeRepeatedString(events[i].destinationId(), target);
            target.writeInt(events[i].shard());
            int earlier = earlierPairWithPayloadOf(events, i);
            if (earlier >= 0) {
                target.writeInt(SAME_PAYLOAD - earlier);
            } else {
                writeBytes(events[i].payload(), target);
            }
        }
    }

    /** An earlier pair holding the very payload array of pair {@code pair}, or -1. */
    private static int earlierPairWithPayloadOf(RoutedEvent[] events, int pair) {
        byte[] payload = events[pair].payload();
        if (payload != null) {
            for (int i = Math.max(0, pair - LOOK_BACK_PAIRS); i < pair; i++) {
                if (events[i].payload() == payload) {
                    return i;
                }
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
        for (int i = 0; i < count; i++) {
            String destinationId = readRepeatedString(source);
            int shard = source.readInt();
            int length = source.readInt();
            byte[] payload;
            if (length <= SAME_PAYLOAD) {
                payload = events[SAME_PAYLOAD - length].payload();
            } else if (length < 0) {
                payload = null;
            } else {
                payload = new byte[length];
                source.readFully(payload);
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
