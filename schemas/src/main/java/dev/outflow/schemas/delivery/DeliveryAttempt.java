package dev.outflow.schemas.delivery;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of sending one batch once.
 *
 * @param batch what was sent
 * @param outcome how it ended
 * @param status HTTP status, or 0 when no response came (timeout, connection error)
 * @param error the failure, or null when delivered; never holds a secret
 * @param attempt which attempt this was, from 1
 * @param startedAt when the request was started (ms)
 * @param latencyMs request latency
 * @param notBefore the earliest time the destination may be called again (a Retry-After, an open circuit), 0
 *     when it named none
 * @param itemStatuses for {@link AttemptOutcome#PARTIAL}: one HTTP status per event of the batch, in order;
 *     empty otherwise
 * @param endsHold the destination answered after it had been held (an open circuit, a Retry-After, a full
 *     backlog): its batchers may send what they parked for it
 */
public record DeliveryAttempt(
        DeliveryBatch batch, AttemptOutcome outcome, int status, String error, int attempt, long startedAt,
        long latencyMs, long notBefore, int[] itemStatuses, boolean endsHold) {

    private static final int[] NO_ITEMS = new int[0];

    public DeliveryAttempt(DeliveryBatch batch, AttemptOutcome outcome, int status, String error, int attempt,
            long startedAt, long latencyMs, long notBefore, int[] itemStatuses) {
        this(batch, outcome, status, error, attempt, startedAt, latencyMs, notBefore, itemStatuses, false);
    }

    public DeliveryAttempt(DeliveryBatch batch, AttemptOutcome outcome, int status, String error, int attempt,
            long startedAt, long latencyMs) {
        this(batch, outcome, status, error, attempt, startedAt, latencyMs, 0, NO_ITEMS);
    }

    /** The batch was not sent and should come back at {@code notBefore}. */
    public static DeliveryAttempt deferred(DeliveryBatch batch, String why, long now, long notBefore) {
        return new DeliveryAttempt(batch, AttemptOutcome.DEFERRED, 0, why, 0, now, 0, notBefore, NO_ITEMS);
    }

    /** This attempt, telling the batchers that the destination takes work again. */
    public DeliveryAttempt endingHold() {
        return new DeliveryAttempt(batch, outcome, status, error, attempt, startedAt, latencyMs, notBefore,
                itemStatuses, true);
    }

    /** This attempt, with the destination held until {@code until} (at least). */
    public DeliveryAttempt heldUntil(long until) {
        return until <= notBefore ? this : new DeliveryAttempt(batch, outcome, status, error, attempt, startedAt,
                latencyMs, until, itemStatuses, endsHold);
    }

    public AttemptRecord toRecord() {
        return new AttemptRecord(startedAt, status, error, latencyMs);
    }

    /** The record of this attempt as one item of a partial response saw it. */
    public AttemptRecord toRecord(int itemStatus, String itemError) {
        return new AttemptRecord(startedAt, itemStatus, itemError, latencyMs);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeliveryAttempt that
                && status == that.status
                && attempt == that.attempt
                && startedAt == that.startedAt
                && latencyMs == that.latencyMs
                && notBefore == that.notBefore
                && endsHold == that.endsHold
                && outcome == that.outcome
                && Objects.equals(batch, that.batch)
                && Objects.equals(error, that.error)
                && Arrays.equals(itemStatuses, that.itemStatuses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, outcome, status, attempt, startedAt) * 31 + Arrays.hashCode(itemStatuses);
    }

    @Override
    public String toString() {
        return "DeliveryAttempt[" + batch + ", " + outcome + ", status " + status + ", " + error + "]";
    }
}
