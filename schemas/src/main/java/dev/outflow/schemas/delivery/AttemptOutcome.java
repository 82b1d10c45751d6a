package dev.outflow.schemas.delivery;

/** How one delivery attempt ended, by Segment's classification of responses. */
public enum AttemptOutcome {
    /** 2xx. */
    DELIVERED,
    /** 408, 423, 429, 5xx except 501, timeouts and connection errors: worth trying again. */
    RETRYABLE,
    /** Any other 4xx, 501, or a request that cannot be made: trying again would fail the same way. */
    PERMANENT,
    /** 207 Multi-Status: each event has its own status ({@link DeliveryAttempt#itemStatuses()}). */
    PARTIAL,
    /**
     * Not sent: the destination asked us to wait (Retry-After), its circuit is open, or it is already saturated.
     * Not an attempt: the events are parked until {@link DeliveryAttempt#notBefore()} without counting one.
     */
    DEFERRED;

    /** Segment's rule for HTTP status codes. */
    public static AttemptOutcome ofStatus(int status) {
        if (status >= 200 && status < 300) {
            return DELIVERED;
        }
        if (status == 408 || status == 423 || status == 429 || (status >= 500 && status != 501)) {
            return RETRYABLE;
        }
        return PERMANENT;
    }
}
