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

    /** Strings up to this long are read through a per-thread buffer; ids, topics and origins are far shorter. */
    private static final int SCRATCH_BYTES = 1_024;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);
    private static final int REPEATED_MAX_BYTES = 128;
    private static final int REPEATED_SLOTS = 1_024;
    /** Values of {@link #readRepeatedString}, by a hash of their bytes; Strings are immutable, so races are safe. */
    private static final String[] REPEATED = new String[REPEATED_SLOTS];
    /** Bytes of {@link #writeRepeatedString}'s values, by the identity of their String instance. */
    private static final EncodedString[] ENCODED = new EncodedString[REPEATED_SLOTS];

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

    /**
     * As {@link #writeString}, for a string that takes a handful of values across all records and comes as one
     * shared instance per value (a destination id from the catalog or from {@link #readRepeatedString}, an event
     * type): its bytes are encoded once per instance, not once per record.
     */
    static void writeRepeatedString(String value, DataOutputView target) throws IOException {
        if (value == null) {
            target.writeInt(-1);
            return;
        }
        int slot = System.identityHashCode(value) & (REPEATED_SLOTS - 1);
        EncodedString known = ENCODED[slot];
        byte[] bytes;
        if (known != null && known.value == value) {
            bytes = known.utf8;
        } else {
            bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length <= REPEATED_MAX_BYTES) {
                // one object per slot, its fields final: a racing reader sees the old pair or the new one
                ENCODED[slot] = new EncodedString(value, bytes);
            }
        }
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    /** A string instance {@link #writeRepeatedString} has written, with its UTF-8 bytes. */
    private record EncodedString(String value, byte[] utf8) {}

    static String readString(DataInputView source) throws IOException {
        int length = source.readInt();
        return length < 0 ? null : readString(source, length);
    }

    private static String readString(DataInputView source, int length) throws IOException {
        if (length > SCRATCH_BYTES) {
            byte[] bytes = new byte[length];
            source.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        // through a scratch buffer: reading into an array of its own first cost one more allocation and copy for
        // each of the four strings of every event on both network shuffles
        byte[] scratch = SCRATCH.get();
        source.readFully(scratch, 0, length);
        return new String(scratch, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * As {@link #readString}, for a string that takes a handful of values across all records (a destinationId, an
     * event type): a value read before comes back as the same instance, without a new String.
     */
    static String readRepeatedString(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < 0) {
            return null;
        }
        if (length > REPEATED_MAX_BYTES) {
            return readString(source, length);
        }
        byte[] scratch = SCRATCH.get();
        source.readFully(scratch, 0, length);
        int hash = length;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + scratch[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (REPEATED_SLOTS - 1);
        String known = REPEATED[slot];
        if (known != null && sameAscii(known, scratch, length)) {
            return known;
        }
        String read = new String(scratch, 0, length, StandardCharsets.UTF_8);
        if (read.length() == length) {
            // ASCII only (one byte per char), so that the comparison above holds; a race only replaces a slot
            REPEATED[slot] = read;
        }
        return read;
    }

    private static boolean sameAscii(String known, byte[] bytes, int length) {
        if (known.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (known.charAt(i) != bytes[i]) {
                return false;
            }
        }
        return true;
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
