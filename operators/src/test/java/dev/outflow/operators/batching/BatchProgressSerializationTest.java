package dev.outflow.operators.batching;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The batcher's state types are written by Flink's POJO serializer, so they can evolve without Kryo. */
class BatchProgressSerializationTest {

    @Test
    void batchProgressIsAPojoThatRoundTrips() throws Exception {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(BatchProgress.class);
        TypeSerializer<BatchProgress> serializer = noKryoSerializer(TypeInformation.of(BatchProgress.class));
        BatchProgress progress = new BatchProgress(7, 4_096, 1_700_000_001_000L);

        DataOutputSerializer out = new DataOutputSerializer(32);
        serializer.serialize(progress, out);

        assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))).isEqualTo(progress);
        assertThat(serializer.copy(progress)).isEqualTo(progress);
    }

    private static <T> TypeSerializer<T> noKryoSerializer(TypeInformation<T> type) {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return type.createSerializer(config);
    }
}
