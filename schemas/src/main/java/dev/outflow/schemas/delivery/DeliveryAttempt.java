package dev.outflow.schemas.delivery;

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
 */
public record DeliveryAttempt(
        DeliveryBatch batch, AttemptOutcome outcome, int status, String error, int attempt, long startedAt,
        long latencyMs) {

    public AttemptRecord toRecord() {
        return new AttemptRecord(startedAt, status, error, latencyMs);
    }
}
