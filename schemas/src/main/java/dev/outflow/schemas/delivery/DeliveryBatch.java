package dev.outflow.schemas.delivery;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * Events for one destination shard that go out in one request. A single-event destination sends batches of one.
 *
 * @param destinationId the destination
 * @param shard the shard that formed it
 * @param events the events, in arrival order
 * @param payloadBytes sum of the events' payload sizes
 * @param formedAt when the batch was closed (ms)
 */
@TypeInfo(DeliveryBatchSerializer.Factory.class)
public record DeliveryBatch(String destinationId, int shard, RoutedEvent[] events, long payloadBytes, long formedAt) {

    public int size() {
        return events.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeliveryBatch that
                && shard == that.shard
                && payloadBytes == that.payloadBytes
                && formedAt == that.formedAt
                && destinationId.equals(that.destinationId)
                && Arrays.equals(events, that.events);
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationId, shard, formedAt) * 31 + Arrays.hashCode(events);
    }

    @Override
    public String toString() {
        return "DeliveryBatch[" + destinationId + "#" + shard + ", " + events.length + " events, " + payloadBytes
                + " bytes]";
    }
}
