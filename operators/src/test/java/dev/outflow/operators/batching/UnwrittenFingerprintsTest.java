package dev.outflow.operators.batching;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class UnwrittenFingerprintsTest {

    @Test
    void entriesComeOutGroupedByTheBucketTheirFingerprintsTopBitsName() {
        UnwrittenFingerprints unwritten = new UnwrittenFingerprints();
        SplittableRandom random = new SplittableRandom(7);
        List<Long> added = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long fingerprint = random.nextLong();
            unwritten.add(fingerprint, 1_000 + i, i);
            added.add(fingerprint);
        }
        int bucketBits = 6;

        UnwrittenFingerprints.Buckets buckets = unwritten.byBucket(bucketBits);

        List<Long> written = new ArrayList<>();
        for (int bucket = 0; bucket < 1 << bucketBits; bucket++) {
            int previous = -1;
            for (int at = buckets.starts()[bucket]; at < buckets.starts()[bucket + 1]; at++) {
                int index = buckets.order()[at];
                long fingerprint = unwritten.fingerprint(index);
                assertThat(fingerprint >>> (Long.SIZE - bucketBits)).as("its bucket").isEqualTo(bucket);
                assertThat(index).as("a bucket keeps the order they were added in").isGreaterThan(previous);
                assertThat(unwritten.check(index)).as("the check stays with its fingerprint")
                        .isEqualTo(added.indexOf(fingerprint));
                previous = index;
                written.add(fingerprint);
            }
        }
        assertThat(buckets.starts()[1 << bucketBits]).isEqualTo(5_000);
        assertThat(written).containsExactlyInAnyOrderElementsOf(added);
    }

    @Test
    void findsWhatItHoldsUntilCleared() {
        UnwrittenFingerprints unwritten = new UnwrittenFingerprints();
        for (int i = 0; i < 200; i++) {
            unwritten.add(-i, 10 * i, i);
        }
        unwritten.replace(unwritten.indexOf(-150), 99_999, 42);

        assertThat(unwritten.size()).isEqualTo(200);
        assertThat(unwritten.seenAt(unwritten.indexOf(-7))).isEqualTo(70);
        assertThat(unwritten.seenAt(unwritten.indexOf(-150))).isEqualTo(99_999);
        assertThat(unwritten.check(unwritten.indexOf(-150))).isEqualTo(42);
        assertThat(unwritten.indexOf(1)).isEqualTo(-1);

        unwritten.clear();

        assertThat(unwritten.isEmpty()).isTrue();
        assertThat(unwritten.indexOf(-7)).isEqualTo(-1);
        assertThat(unwritten.byBucket(4).order()).isEmpty();
    }
}
