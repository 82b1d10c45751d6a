package dev.outflow.schemas.kafka;

import dev.outflow.schemas.delivery.ParkedBatch;
import dev.outflow.schemas.delivery.RoutedEvent;
import dev.outflow.schemas.delivery.RoutedEventSerializer;
import dev.outflow.schemas.event.Json;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/**
 * The value of a retry-topic record: a {@link ParkedBatch} in binary. A black-holed or throttled destination sends
 * every one of its batches around this loop, often several times, so the format costs what a Flink network hop
 * costs: a version byte pair, the batch's fields, then each event as {@link RoutedEventSerializer} writes it
 * (payload bytes as they are, no text encoding).
 *
 * <p>Layout: {@code 0x00}, version {@code 0x02}, destinationId (UTF), shard (int), dueAt (long), keepTogether
 * (boolean), destinationHeld (boolean), event count (int), events. Version {@code 0x01} records (without
 * destinationHeld) and records that start with <code>{</code> (the JSON of earlier versions) are still read, so a
 * job upgraded with retries in flight loses none.
 */
public final class RetryRecordFormat {

    private static final byte MARKER = 0x00;
    private static final byte VERSION = 0x02;
    /** The version before destinationHeld. */
    private static final byte VERSION_1 = 0x01;

    private RetryRecordFormat() {}

    public static byte[] write(ParkedBatch batch) {
        DataOutputSerializer out = new DataOutputSerializer(64 + 600 * batch.size());
        try {
            out.writeByte(MARKER);
            out.writeByte(VERSION);
            out.writeUTF(batch.destinationId());
            out.writeInt(batch.shard());
            out.writeLong(batch.dueAt());
            out.writeBoolean(batch.keepTogether());
            out.writeBoolean(batch.destinationHeld());
            out.writeInt(batch.size());
            for (RoutedEvent event : batch.events()) {
                RoutedEventSerializer.INSTANCE.serialize(event, out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not write a retry record for " + batch, e);
        }
        return out.getCopyOfBuffer();
    }

    /** The batch in {@code value}; an IOException names what is wrong with a record it cannot read. */
    public static ParkedBatch read(byte[] value) throws IOException {
        if (value.length > 0 && value[0] == '{') {
            return Json.MAPPER.readValue(value, ParkedBatch.class);
        }
        if (value.length < 2 || value[0] != MARKER) {
            throw new IOException("not a retry record (neither JSON nor Outflow's binary format)");
        }
        if (value[1] != VERSION && value[1] != VERSION_1) {
            throw new IOException("retry record format version " + value[1] + " is newer than this job reads ("
                    + VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(value, 2, value.length - 2);
        String destinationId = in.readUTF();
        int shard = in.readInt();
        long dueAt = in.readLong();
        boolean keepTogether = in.readBoolean();
        boolean destinationHeld = value[1] != VERSION_1 && in.readBoolean();
        int count = in.readInt();
        if (count < 0 || count > value.length) {
            throw new IOException("retry record claims " + count + " events");
        }
        RoutedEvent[] events = new RoutedEvent[count];
        for (int i = 0; i < count; i++) {
            events[i] = RoutedEventSerializer.INSTANCE.deserialize(in);
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes left over after " + count + " events");
        }
        return new ParkedBatch(destinationId, shard, events, dueAt, keepTogether, destinationHeld);
    }
}
