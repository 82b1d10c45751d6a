package dev.outflow.operators.delivery;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Work over the limit waits without blocking and starts, in order, as running work completes. */
class ConcurrencyLimiterTest {

    @Test
    void rejectsALimitBelowOne() {
        assertThatThrownBy(() -> new ConcurrencyLimiter(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }

    @Test
    void startsWorkAtOnceUpToTheLimitAndQueuesTheRest() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(2);
        List<CompletableFuture<String>> requests = pending(4);
        List<Integer> started = new ArrayList<>();

        for (int i = 0; i < 4; i++) {
            int index = i;
            limiter.submit(() -> {
                started.add(index);
                return requests.get(index);
            });
        }

        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.running()).isEqualTo(2);
        assertThat(limiter.waiting()).isEqualTo(2);
    }

    @Test
    void aCompletionStartsTheOldestWaitingWork() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        List<CompletableFuture<String>> requests = pending(3);
        List<Integer> started = new ArrayList<>();
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int index = i;
            results.add(limiter.submit(() -> {
                started.add(index);
                return requests.get(index);
            }));
        }

        requests.get(0).complete("first");

        assertThat(results.get(0)).isCompletedWithValue("first");
        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.running()).isEqualTo(1);
        assertThat(limiter.waiting()).isEqualTo(1);

        requests.get(1).complete("second");
        requests.get(2).complete("third");

        assertThat(results).extracting(CompletableFuture::join).containsExactly("first", "second", "third");
        assertThat(limiter.running()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void aFailedRequestFailsItsResultAndFreesItsSlot() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<String> result = limiter.submit(() -> failing);
        CompletableFuture<String> next = limiter.submit(() -> CompletableFuture.completedFuture("next"));

        failing.completeExceptionally(new IllegalStateException("boom"));

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(next).isCompletedWithValue("next");
        assertThat(limiter.running()).isZero();
    }

    @Test
    void workThatThrowsWhenStartedFailsItsResultAndFreesItsSlot() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);

        CompletableFuture<String> result = limiter.submit(() -> {
            throw new IllegalArgumentException("bad request");
        });

        assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(limiter.running()).isZero();
        assertThat(limiter.submit(() -> CompletableFuture.completedFuture(1))).isCompletedWithValue(1);
    }

    @Test
    void alreadyCompletedWorkNeverHoldsASlot() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);

        for (int i = 0; i < 1_000; i++) {
            int value = i;
            assertThat(limiter.submit(() -> CompletableFuture.completedFuture(value))).isCompletedWithValue(value);
        }

        assertThat(limiter.running()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void completionsFromOtherThreadsNeverExceedTheLimit() {
        int limit = 3;
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(limit);
        ExecutorService io = Executors.newFixedThreadPool(4);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                int value = i;
                results.add(limiter.submit(() -> {
                    highest.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    return CompletableFuture.supplyAsync(() -> {
                        inFlight.decrementAndGet();
                        return value;
                    }, io);
                }));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
        } finally {
            io.shutdownNow();
        }

        assertThat(results).extracting(CompletableFuture::join).hasSize(500).doesNotHaveDuplicates();
        assertThat(highest.get()).isBetween(1, limit);
        assertThat(limiter.running()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    private static List<CompletableFuture<String>> pending(int count) {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(new CompletableFuture<>());
        }
        return futures;
    }

    @Test
    void theLimitHalvesOnOverloadAndGrowsBackOneStepPerLimitSuccesses() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(8);
        assertThat(limiter.limit()).as("starts at the configured maximum").isEqualTo(8);

        limiter.onOverload();
        assertThat(limiter.limit()).isEqualTo(4);
        limiter.onOverload();
        limiter.onOverload();
        limiter.onOverload();
        assertThat(limiter.limit()).as("never below one").isEqualTo(1);

        limiter.onSuccess(10);
        assertThat(limiter.limit()).isEqualTo(2);
        int successes = 0;
        while (limiter.limit() < 8) {
            limiter.onSuccess(10);
            successes++;
        }
        assertThat(successes).as("additive increase: about limit successes per step").isBetween(20, 30);
        for (int i = 0; i < 100; i++) {
            limiter.onSuccess(10);
        }
        assertThat(limiter.limit()).as("never above the maximum").isEqualTo(8);
    }

    @Test
    void aShrunkLimitHoldsBackQueuedWorkUntilRunningWorkFallsBelowIt() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(4);
        List<CompletableFuture<String>> requests = pending(6);
        List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int index = i;
            limiter.submit(() -> {
                started.add(index);
                return requests.get(index);
            });
        }
        limiter.onOverload();
        limiter.onOverload();

        requests.get(0).complete("done");
        requests.get(1).complete("done");
        assertThat(started).as("4 running, limit 1: nothing starts").containsExactly(0, 1, 2, 3);

        requests.get(2).complete("done");
        requests.get(3).complete("done");
        assertThat(started).containsExactly(0, 1, 2, 3, 4);
        assertThat(limiter.running()).isEqualTo(1);
    }

    @Test
    void latencyFarAboveTheBestSeenShrinksTheLimitButASteadySlowDestinationKeepsIt() {
        ConcurrencyLimiter slowing = new ConcurrencyLimiter(16);
        for (int i = 0; i < 50; i++) {
            slowing.onSuccess(20);
        }
        for (int i = 0; i < 60; i++) {
            slowing.onSuccess(2_000);
        }
        assertThat(slowing.limit()).isLessThan(16);

        ConcurrencyLimiter steadySlow = new ConcurrencyLimiter(16);
        for (int i = 0; i < 110; i++) {
            steadySlow.onSuccess(2_000);
        }
        assertThat(steadySlow.limit()).isEqualTo(16);
    }
}
