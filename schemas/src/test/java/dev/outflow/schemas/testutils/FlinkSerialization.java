package dev.outflow.schemas.testutils;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks a type the way Flink will handle it between operators and in state: its own or the POJO serializer, no Kryo. */
public final class FlinkSerialization {

    private FlinkSerialization() {}

    /**
     * Asserts Flink serializes {@code type} with its own hand-written serializer (not the POJO one, not Kryo), that
     * {@code value} comes back equal from its bytes, that a copy is the value itself (the type is immutable), and
     * that the serializer restores from its snapshot as is (state written with it stays readable).
     */
    public static <T> T assertImmutableRoundTrip(Class<T> type, T value) {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(dev.outflow.schemas.delivery.ImmutableRecordTypeInfo.class);
        TypeSerializer<T> serializer = withoutKryo(info);
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            T read = writeAndRead(serializer, value, out);
            assertThat(serializer.copy(value)).isSameAs(value);

            DataOutputSerializer copied = new DataOutputSerializer(256);
            serializer.copy(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());

            TypeSerializerSnapshot<T> snapshot = serializer.snapshotConfiguration();
            DataOutputSerializer snapshotBytes = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(snapshotBytes, snapshot);
            TypeSerializerSnapshot<T> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                    new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()), type.getClassLoader());
            assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs())
                    .as("compatible with its own snapshot").isTrue();
            assertThat(restored.restoreSerializer()).isEqualTo(serializer);
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts Flink serializes {@code type} with its POJO serializer and no Kryo anywhere in the field tree, then
     * sends {@code value} through that serializer and through {@code copy}, returning what came out of the bytes.
     */
    public static <T> T assertPojoRoundTrip(Class<T> type, T value) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
        TypeSerializer<T> serializer = withoutKryo(TypeInformation.of(type));
        try {
            T read = writeAndRead(serializer, value, new DataOutputSerializer(256));
            assertThat(serializer.copy(value)).isEqualTo(value);
            assertThat(serializer.duplicate().copy(value)).isEqualTo(value);
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> TypeSerializer<T> withoutKryo(TypeInformation<T> info) {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        return info.createSerializer(noKryo);
    }

    /** Writes {@code value} into {@code out}, reads it back, and asserts an equal but new value came out. */
    private static <T> T writeAndRead(TypeSerializer<T> serializer, T value, DataOutputSerializer out)
            throws IOException {
        serializer.serialize(value, out);
        T read = serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertThat(read).isEqualTo(value).isNotSameAs(value);
        return read;
    }
}
