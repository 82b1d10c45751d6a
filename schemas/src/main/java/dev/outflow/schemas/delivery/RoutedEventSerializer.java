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
 * Writes a {@link RoutedEvent} between operators and in the batcher's state: its fields in declaration order,
 * strings as UTF-8 bytes (null-safe), the payload as length and bytes, the history as a
 * count and its attempts.
 */
public final class RoutedEventSerializer extends ImmutableRecordSerializer<RoutedEvent> {

    private static final long serialVersionUID = 1L;

    public static final RoutedEventSerializer INSTANCE = new RoutedEventSerializer();

    private static final AttemptRecord[] NO_ATTEMPTS = new AttemptRecord[0];

    @Override
    public void serialize(RoutedEvent event, DataOutputView target) throws IOException {
        writeRepeatedString(event.destinationId(), target);
        target.writeInt(event.shard());
        writeString(event.messageId(), target);
        writeRepeatedString(event.eventType(), target);
        writeBytes(event.payload(), target);
        writeString(event.origin(), target);
        target.writeLong(event.routedAt());
        target.writeInt(event.attempts());
        target.writeLong(event.firstAttemptAt());
        AttemptRecord[] history = event.history();
        target.writeInt(history.length);
        for (AttemptRecord attempt : history) {
            target.writeLong(attempt.at());
            target.writeInt(attempt.status());
            writeString(attempt.error(), target);
            target.writeLong(attempt.latencyMs());
        }
    }

    @Override
    public RoutedEvent deserialize(DataInputView source) throws IOException {
        String destinationId = readRepeatedString(source);
        int shard = source.readInt();
        String messageId = readString(source);
        String eventType = readRepeatedString(source);
        byte[] payload = readBytes(source);
        String origin = readString(source);
        long routedAt = source.readLong();
        int attempts = source.readInt();
        long firstAttemptAt = source.readLong();
        int length = source.readInt();
        AttemptRecord[] history = length == 0 ? NO_ATTEMPTS : new AttemptRecord[length];
        for (int i = 0; i < length; i++) {
            history[i] = new AttemptRecord(source.readLong(), source.readInt(), readString(source),
                    source.readLong());
        }
        return new RoutedEvent(destinationId, shard, messageId, eventType, payload, origin, routedAt, attempts,
                firstAttemptAt, history);
    }

    @Override
    public TypeSerializerSnapshot<RoutedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from checkpoints and savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RoutedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Makes Flink pick this serializer wherever a {@link RoutedEvent} goes (see the annotation on the record). */
    public static final class Factory extends TypeInfoFactory<RoutedEvent> {
        @Override
        public TypeInformation<RoutedEvent> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new ImmutableRecordTypeInfo<>(RoutedEvent.class, INSTANCE);
        }
    }
}
