package dev.outflow.operators.batching;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SeenChunksTest {

    @Test
    void aPackedChunkGivesBackEachEntrysFingerprintTimeAndCheckIn16Bytes() {
        UnwrittenFingerprints entries = new UnwrittenFingerprints();
        long lastMillisKept = Instant.parse("2109-05-15T00:00:00Z").toEpochMilli();
        entries.add(-1L, 0, Integer.MIN_VALUE);
        entries.add(42L, 1_765_000_000_123L, -7);
        entries.add(Long.MIN_VALUE, lastMillisKept, Integer.MAX_VALUE);

        long[] chunk = SeenChunks.pack(entries, new int[] {2, 0, 1}, 0, 3);

        assertThat(chunk).hasSize(1 + 2 * 3);
        assertThat(SeenChunks.isPacked(chunk)).isTrue();
        int at = SeenChunks.first(true);
        assertThat(SeenChunks.fingerprint(chunk, at)).isEqualTo(Long.MIN_VALUE);
        assertThat(SeenChunks.seenAt(chunk, at, true)).isEqualTo(lastMillisKept);
        assertThat(SeenChunks.checkMatches(chunk, at, true, Integer.MAX_VALUE)).isTrue();
        at += SeenChunks.step(true);
        assertThat(SeenChunks.fingerprint(chunk, at)).isEqualTo(-1L);
        assertThat(SeenChunks.seenAt(chunk, at, true)).isZero();
        assertThat(SeenChunks.checkMatches(chunk, at, true, Integer.MIN_VALUE)).isTrue();
        at += SeenChunks.step(true);
        assertThat(SeenChunks.fingerprint(chunk, at)).isEqualTo(42L);
        assertThat(SeenChunks.seenAt(chunk, at, true)).isEqualTo(1_765_000_000_123L);
        assertThat(SeenChunks.checkMatches(chunk, at, true, -7)).isTrue();
        assertThat(SeenChunks.checkMatches(chunk, at, true, -8)).as("another String hash").isFalse();
    }

    @Test
    void aChunkOfTheEarlierLayoutReadsAsThreeLongsAnEntry() {
        long[] earlier = {42L, 1_765_000_000_123L, -7, 43L, 1_765_000_000_456L, 9};

        assertThat(SeenChunks.isPacked(earlier)).isFalse();
        int second = SeenChunks.first(false) + SeenChunks.step(false);
        assertThat(SeenChunks.fingerprint(earlier, second)).isEqualTo(43L);
        assertThat(SeenChunks.seenAt(earlier, second, false)).isEqualTo(1_765_000_000_456L);
        assertThat(SeenChunks.checkMatches(earlier, second, false, 9)).isTrue();
        assertThat(SeenChunks.checkMatches(earlier, second, false, 9 + (1 << SeenChunks.CHECK_BITS)))
                .as("the earlier layout compares the whole String hash").isFalse();
    }
}
