package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written Flink serializer for one of the job's immutable records that carry payload bytes.
 *
 * <p>Why not the POJO serializer: an event's payload crosses two network shuffles and the batcher's RocksDB list,
 * and Flink copies every record between chained operators by default; with the POJO serializer each copy is a deep
 * one (every payload array again) and each write goes field by field through reflection. Nothing in the job
 * changes a record or its arrays after creating it, so a copy can be the record itself, and the wire format is a
 * plain sequence of fields.
 *
 * <p>The format is fixed: changing it needs a new serializer class (state written with this one must stay
 * readable), never an edit of {@link #serialize}.
 */
public abstract class ImmutableRecordSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final T createInstance() {
        return null;
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /**
     * A string that may be null, as its UTF-8 bytes: for the ASCII ids, topics and names these records carry, the
     * JDK encodes and decodes that with array copies, where Flink's {@code StringValue} goes character by character.
     */
    static void writeString(String value, DataOutputView target) throws IOException {
        writeBytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8), target);
    }

    static String readString(DataInputView source) throws IOException {
        byte[] bytes = readBytes(source);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** A byte array that may be null: its length (-1 for null), then its bytes. */
    static void writeBytes(byte[] bytes, DataOutputView target) throws IOException {
        if (bytes == null) {
            target.writeInt(-1);
            return;
        }
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    static byte[] readBytes(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        return bytes;
    }
}
