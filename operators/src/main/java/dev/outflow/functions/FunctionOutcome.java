package dev.outflow.functions;

import dev.outflow.schemas.delivery.AttemptOutcome;

/**
 * How one invocation of a destination function ended, in Segment's Event Delivery categories, and what the job
 * does with the event.
 */
public enum FunctionOutcome {
    /** The handler resolved: delivered. */
    OK("ok", AttemptOutcome.DELIVERED),
    /** {@code EventNotSupported}, or no handler for the event type: discarded. */
    UNSUPPORTED_EVENT_TYPE("unsupported_event_type", AttemptOutcome.PERMANENT),
    /** {@code InvalidEventPayload} or {@code ValidationError}: discarded. */
    MESSAGE_REJECTED("message_rejected", AttemptOutcome.PERMANENT),
    /** {@code RetryError}: retried with the job's backoff. */
    RETRY("retry", AttemptOutcome.RETRYABLE),
    /** Not settled within the time limit (a slow request, a hung promise or a runaway loop): retried. */
    TIMEOUT("timeout", AttemptOutcome.RETRYABLE),
    /** Any other error: discarded. */
    BAD_REQUEST("bad_request", AttemptOutcome.PERMANENT);

    private final String category;
    private final AttemptOutcome attemptOutcome;

    FunctionOutcome(String category, AttemptOutcome attemptOutcome) {
        this.category = category;
        this.attemptOutcome = attemptOutcome;
    }

    /** The label in the delivery log, dead letters and metrics. */
    public String category() {
        return category;
    }

    public AttemptOutcome attemptOutcome() {
        return attemptOutcome;
    }

    /** Segment's classification of what a handler threw, by the error's name. */
    public static FunctionOutcome ofError(String errorName) {
        return switch (errorName == null ? "" : errorName) {
            case "EventNotSupported" -> UNSUPPORTED_EVENT_TYPE;
            case "InvalidEventPayload", "ValidationError" -> MESSAGE_REJECTED;
            case "RetryError" -> RETRY;
            default -> BAD_REQUEST;
        };
    }
}
