package dev.outflow.operators.batching;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SeenMessageIdFilterTest {

    private static final long WINDOW = 60_000;
    private static final long NOW = 1_000_000;

    @Test
    void neverSaysNoForARecordedMessageIdAndRarelyMaybeForAnother() {
        SeenMessageIdFilter filter = new SeenMessageIdFilter(WINDOW, 10_000_000);
        int recorded = 3 * SeenMessageIdFilter.FIRST_GENERATION_ENTRIES;
        for (int i = 0; i < recorded; i++) {
            filter.add("seen-" + i, NOW, NOW);
        }

        assertThat(IntStream.range(0, recorded).filter(i -> !filter.mayHaveSeen("seen-" + i, NOW)).count())
                .as("recorded messageIds the filter denies").isZero();
        long falseAlarms = IntStream.range(0, 100_000).filter(i -> filter.mayHaveSeen("other-" + i, NOW)).count();
        assertThat(falseAlarms).as("new messageIds sent to the state").isLessThan(1_000);
    }

    @Test
    void aGenerationOutOfTheWindowIsDroppedWhenTheNextOneStarts() {
        SeenMessageIdFilter filter = new SeenMessageIdFilter(WINDOW, 10_000_000);
        for (int i = 0; i < SeenMessageIdFilter.FIRST_GENERATION_ENTRIES; i++) {
            filter.add("old-" + i, NOW, NOW);
        }
        filter.add("new", NOW + WINDOW, NOW + WINDOW);

        assertThat(filter.entries()).isEqualTo(1);
        assertThat(filter.mayHaveSeen("new", NOW + WINDOW)).isTrue();
    }

    @Test
    void droppingEntriesStillInTheWindowMakesEveryAnswerMaybeUntilTheyAreOut() {
        SeenMessageIdFilter filter = new SeenMessageIdFilter(WINDOW, 4);
        for (int i = 0; i < 4; i++) {
            filter.add("early-" + i, NOW, NOW);
        }
        filter.add("late", NOW + 10, NOW + 10);

        assertThat(filter.entries()).as("the full generation made room").isEqualTo(1);
        assertThat(filter.mayHaveSeen("never-recorded", NOW + WINDOW - 1)).isTrue();
        assertThat(filter.mayHaveSeen("never-recorded", NOW + WINDOW)).isFalse();
        assertThat(filter.mayHaveSeen("late", NOW + WINDOW)).isTrue();
    }

    @Test
    void nearItsCapAKeyFillsTheRoomLeftBeforeDroppingAnything() {
        int cap = 3 * SeenMessageIdFilter.FIRST_GENERATION_ENTRIES;
        SeenMessageIdFilter filter = new SeenMessageIdFilter(WINDOW, cap);
        for (int i = 0; i < cap; i++) {
            filter.add("seen-" + i, NOW, NOW);
        }

        assertThat(filter.entries()).as("nothing dropped early").isEqualTo(cap);
        assertThat(filter.mayHaveSeen("seen-" + (cap - 1), NOW)).isTrue();
        assertThat(IntStream.range(0, 10_000).filter(i -> filter.mayHaveSeen("other-" + i, NOW)).count())
                .as("still a filter, not a key answering maybe to everything").isLessThan(100);
    }

    @Test
    void aFilterThatStartsItsLargestGenerationAfterSmallerOnesSaysSoOnceBuiltThatLargeItDoesNot() {
        SeenMessageIdFilter grown = new SeenMessageIdFilter(WINDOW, 10_000_000);
        SeenMessageIdFilter large = new SeenMessageIdFilter(WINDOW, 10_000_000,
                SeenMessageIdFilter.LARGEST_GENERATION_ENTRIES);
        int smallGenerations = SeenMessageIdFilter.FIRST_GENERATION_ENTRIES
                * (1 + SeenMessageIdFilter.GENERATION_GROWTH);
        for (int i = 0; i < smallGenerations; i++) {
            grown.add("seen-" + i, NOW, NOW);
            large.add("seen-" + i, NOW, NOW);
        }
        assertThat(grown.outgrewItsSmallGenerations()).isFalse();

        grown.add("one-more", NOW, NOW);
        large.add("one-more", NOW, NOW);

        assertThat(grown.generations()).isEqualTo(3);
        assertThat(grown.outgrewItsSmallGenerations()).isTrue();
        assertThat(large.generations()).isEqualTo(1);
        assertThat(large.outgrewItsSmallGenerations()).isFalse();
    }

    @Test
    void uncertainUntilOverridesTheFilterForThatLong() {
        SeenMessageIdFilter filter = new SeenMessageIdFilter(WINDOW, 100);
        filter.uncertainUntil(NOW + 5);

        assertThat(filter.mayHaveSeen("anything", NOW + 4)).isTrue();
        assertThat(filter.mayHaveSeen("anything", NOW + 5)).isFalse();
    }
}
