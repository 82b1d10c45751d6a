package dev.outflow.operators.delivery;

import dev.outflow.operators.testutils.Catalogs;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.AttemptOutcome;
import dev.outflow.schemas.delivery.DeliveryAttempt;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.delivery.RoutedEvent;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate in front of one destination: Retry-After, circuit and backlog each hold a batch back, with a reason. */
class DestinationLaneTest {

    private static final DestinationConfig DESTINATION = Catalogs.yaml("""
            destinations:
              - id: crm
                type: webhook
                endpoint: https://crm.example/in
                delivery: {timeout: 5s, maxConcurrency: 2, circuitOpen: 10s}
            """).get("crm");
    private static final DeliveryBatch BATCH = new DeliveryBatch("crm", 0, new RoutedEvent[] {
        new RoutedEvent("crm", 0, "m1", "track", new byte[] {'{', '}'}, "events/0/1", 0)}, 2, 0);

    private final DestinationLane lane = new DestinationLane(DESTINATION);

    @Test
    void aHealthyLaneAdmitsEverything() {
        assertThat(lane.admit(1_000)).isNull();
        assertThat(lane.pausedAt(1_000)).isNull();
    }

    @Test
    void aRetryAfterHoldsEveryBatchUntilTheTimeItNames() {
        lane.learn(attempt(AttemptOutcome.RETRYABLE, 429, 1_000, 61_000));

        assertThat(lane.admit(60_999)).isEqualTo(new DestinationLane.Hold(61_000, "retry-after"));
        assertThat(lane.pausedAt(30_000)).isNotNull();
        assertThat(lane.admit(61_000)).isNull();
        assertThat(lane.limiter().limit()).as("a 429 also halves the concurrency").isEqualTo(1);
    }

    @Test
    void anEarlierRetryAfterNeverShortensALaterOne() {
        lane.learn(attempt(AttemptOutcome.RETRYABLE, 503, 1_000, 90_000));
        lane.learn(attempt(AttemptOutcome.RETRYABLE, 503, 1_000, 20_000));

        assertThat(lane.pausedUntil()).isEqualTo(90_000);
    }

    @Test
    void sustainedFailureOpensTheCircuitAndOnlyAProbeGetsThrough() {
        for (int i = 0; i < 10; i++) {
            lane.learn(attempt(AttemptOutcome.RETRYABLE, 500, 1_000, 0));
        }
        assertThat(lane.circuitState()).isEqualTo(CircuitBreaker.State.OPEN);
        DestinationLane.Hold hold = lane.admit(2_000);
        assertThat(hold.reason()).isEqualTo("circuit open");
        assertThat(hold.until()).isEqualTo(1_010 + 10_000);

        assertThat(lane.admit(11_010)).as("the probe").isNull();
        DestinationLane.Hold waitingForProbe = lane.admit(11_011);
        assertThat(waitingForProbe).as("others wait for the probe").isNotNull();
        assertThat(waitingForProbe.until()).as("an open period: the probe's answer may take that long")
                .isEqualTo(11_011 + 10_000);

        lane.learn(attempt(AttemptOutcome.DELIVERED, 200, 11_010, 0));
        assertThat(lane.admit(11_100)).isNull();
    }

    @Test
    void aFailureThatOpensTheCircuitSaysUntilWhenAndTheFirstAnswerAfterTheHoldEndsIt() {
        DeliveryAttempt told = null;
        for (int i = 0; i < 10; i++) {
            told = lane.learnAndTell(attempt(AttemptOutcome.RETRYABLE, 500, 1_000, 0));
        }
        assertThat(told.notBefore()).as("held until the open period ends").isEqualTo(1_010 + 10_000);

        assertThat(lane.admit(11_010)).as("the probe").isNull();
        DeliveryAttempt probeAnswer = lane.learnAndTell(attempt(AttemptOutcome.DELIVERED, 200, 11_010, 0));
        assertThat(probeAnswer.endsHold()).isTrue();
        assertThat(lane.learnAndTell(attempt(AttemptOutcome.DELIVERED, 200, 11_100, 0)).endsHold())
                .as("only the first answer").isFalse();
    }

    @Test
    void anAnswerAfterARetryAfterThatHeldBatchesBackEndsTheHold() {
        lane.learn(attempt(AttemptOutcome.RETRYABLE, 429, 1_000, 5_000));
        assertThat(lane.admit(2_000)).isNotNull();

        assertThat(lane.learnAndTell(attempt(AttemptOutcome.DELIVERED, 200, 5_000, 0)).endsHold()).isTrue();
        assertThat(lane.learnAndTell(attempt(AttemptOutcome.DELIVERED, 200, 5_100, 0)).endsHold()).isFalse();
    }

    @Test
    void theCircuitStaysOpenAtLeastOneRequestTimeout() {
        DestinationLane shortCircuit = new DestinationLane(Catalogs.yaml("""
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: https://crm.example/in
                    delivery: {timeout: 5s, circuitOpen: 50ms}
                """).get("crm"));
        for (int i = 0; i < 10; i++) {
            shortCircuit.learn(attempt(AttemptOutcome.RETRYABLE, 500, 1_000, 0));
        }

        assertThat(shortCircuit.admit(2_000).until()).isEqualTo(1_010 + 5_000);
    }

    @Test
    void timeoutsShrinkTheConcurrencyAndPermanentFailuresDoNotOpenTheCircuit() {
        lane.learn(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0, "timeout: 5000 ms", 1, 0, 5_000));
        assertThat(lane.limiter().limit()).isEqualTo(1);

        for (int i = 0; i < 30; i++) {
            lane.learn(attempt(AttemptOutcome.PERMANENT, 400, 1_000, 0));
        }
        assertThat(lane.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aBatchThatWaitedForASlotIsHeldIfTheCircuitOpenedMeanwhile() {
        assertThat(lane.heldAt(1_000)).isNull();
        for (int i = 0; i < 10; i++) {
            lane.learn(attempt(AttemptOutcome.RETRYABLE, 503, 1_000, 0));
        }

        assertThat(lane.heldAt(1_010)).isEqualTo(new DestinationLane.Hold(11_010, "circuit open"));
        assertThat(lane.heldAt(11_010)).as("open period over: the probe may go").isNull();
    }

    @Test
    void aFullBacklogOfALaneThatStoppedAnsweringDefersNewBatchesInsteadOfQueueingThem() {
        fillBacklogAt(0);
        assertThat(lane.admit(DestinationLane.STALL_MS)).as("not an answer for 100 ms yet").isNull();

        DestinationLane.Hold hold = lane.admit(DestinationLane.STALL_MS + 1);

        assertThat(hold.reason()).startsWith("saturated: 2 requests in flight and 4 waiting");
        assertThat(hold.until()).as("no latency known yet: the minimum")
                .isEqualTo(DestinationLane.STALL_MS + 1 + DestinationLane.MIN_DEFER_MS);
        assertThat(DestinationLane.holdsDestination(hold.reason())).as("new batches wait in the batcher").isTrue();
        assertThat(lane.learnAndTell(attempt(AttemptOutcome.DELIVERED, 200, 100, 0)).endsHold())
                .as("the next answer resumes them").isTrue();
    }

    @Test
    void aFullBacklogThatDrainsWithinASecondStillQueues() {
        for (int i = 0; i < 20; i++) {
            lane.learn(attempt(AttemptOutcome.DELIVERED, 200, 1_000, 0));
        }
        fillBacklogAt(1_000);

        assertThat(lane.admit(1_050)).as("6 batches, 2 at a time, 10 ms each: drained in 30 ms").isNull();
        assertThat(lane.admit(1_011 + DestinationLane.STALL_MS))
                .as("but no answer for longer than 100 ms: stalled").isNotNull();
    }

    @Test
    void aRefusedConnectionIsNoAnswer() {
        fillBacklogAt(0);
        lane.learn(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0, "connection failed: refused", 1, 90, 1));

        assertThat(lane.admit(DestinationLane.STALL_MS + 1)).as("no answer since 0").isNotNull();
    }

    @Test
    void aSaturatedLaneDefersForAsLongAsItsQueueTakesToDrain() {
        lane.learn(new DeliveryAttempt(BATCH, AttemptOutcome.RETRYABLE, 0, "timeout: 5000 ms", 1, 0, 5_000));
        CompletableFuture<String> never = new CompletableFuture<>();
        for (int i = 0; i < 1 + 2 * DestinationLane.BACKLOG_FACTOR; i++) {
            lane.limiter().submit(() -> never);
        }

        DestinationLane.Hold hold = lane.admit(0);

        assertThat(lane.limiter().limit()).isEqualTo(1);
        assertThat(hold.until()).as("1 running and 4 waiting, one at a time, 5 s each").isEqualTo(25_000);
    }

    /** Admits and starts requests that never end at {@code now}, until the lane of limit 2 has a full backlog. */
    private void fillBacklogAt(long now) {
        CompletableFuture<String> never = new CompletableFuture<>();
        for (int i = 0; i < 2 + 2 * DestinationLane.BACKLOG_FACTOR; i++) {
            assertThat(lane.admit(now)).isNull();
            lane.limiter().submit(() -> never);
        }
    }

    private static DeliveryAttempt attempt(AttemptOutcome outcome, int status, long at, long notBefore) {
        return new DeliveryAttempt(BATCH, outcome, status, outcome == AttemptOutcome.DELIVERED ? null : "http " + status,
                1, at, 10, notBefore, new int[0]);
    }
}
