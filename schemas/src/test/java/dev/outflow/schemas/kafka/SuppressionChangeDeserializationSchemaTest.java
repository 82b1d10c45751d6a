package dev.outflow.schemas.kafka;

import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.privacy.SuppressionChange;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.outflow.schemas.testutils.FlinkSerialization.assertPojoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/** Records of the suppression topic as a user would write them with any Kafka producer. */
class SuppressionChangeDeserializationSchemaTest {

    @Test
    void eachRegulationSuppressesTheKeyedUser() {
        assertThat(read(" u1 ", "suppress_only")).satisfies(change -> {
            assertThat(change.userId()).isEqualTo("u1");
            assertThat(change.mode()).isEqualTo(SuppressionMode.SUPPRESS_ONLY);
            assertThat(change.valid()).isTrue();
            assertThat(change.lifts()).isFalse();
            assertThat(change.record().origin()).isEqualTo("user-suppressions/2/7");
        });
        assertThat(read("u2", " Suppress_With_Delete\n").mode()).isEqualTo(SuppressionMode.SUPPRESS_WITH_DELETE);
    }

    @Test
    void aTombstoneOrUnsuppressLiftsIt() {
        assertThat(read("u1", null).lifts()).isTrue();
        assertThat(read("u1", "UNSUPPRESS").lifts()).isTrue();
        assertThat(read("u1", "unsuppress").userId()).isEqualTo("u1");
    }

    @Test
    void recordsWithoutAKeyOrWithAnUnknownValueAreKeptAsInvalidWithWhy() {
        assertThat(read(null, "suppress_only").problem()).isEqualTo("the record has no key: the key must be the userId");
        assertThat(read("  ", "suppress_only").valid()).isFalse();
        assertThat(read("u1", "").problem()).isEqualTo(
                "value '' for user 'u1' is not suppress_only, suppress_with_delete, unsuppress or a tombstone");
        assertThat(read("u1", "delete everything").lifts()).isFalse();
        assertThat(read("u1", "delete everything").record().value())
                .isEqualTo("delete everything".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyKindOfChangeRoundTripsThroughFlinksPojoSerializer() {
        RawEvent record = new RawEvent("user-suppressions", 0, 3, 10L, null, null);
        assertPojoRoundTrip(SuppressionChange.class,
                SuppressionChange.suppress("u1", SuppressionMode.SUPPRESS_WITH_DELETE, record));
        assertPojoRoundTrip(SuppressionChange.class, SuppressionChange.lift("u1", record));
        assertPojoRoundTrip(SuppressionChange.class, SuppressionChange.invalid("no key", record));
    }

    private static SuppressionChange read(String key, String value) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("user-suppressions", 2, 7,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        List<SuppressionChange> out = new ArrayList<>();
        new SuppressionChangeDeserializationSchema().deserialize(record, new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
