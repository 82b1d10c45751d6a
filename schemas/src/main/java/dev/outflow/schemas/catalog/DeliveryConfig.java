package dev.outflow.schemas.catalog;

import java.io.Serializable;

/**
 * How requests to a destination are made.
 *
 * @param timeoutMs per-request timeout (connect plus response)
 * @param maxConcurrency requests in flight to this destination at once, per subtask
 */
public record DeliveryConfig(long timeoutMs, int maxConcurrency) implements Serializable {

    public static final DeliveryConfig DEFAULTS = new DeliveryConfig(10_000, 8);

    /** Functions: Segment's 5 s per invocation. */
    public static final DeliveryConfig FUNCTION_DEFAULTS = new DeliveryConfig(5_000, 8);
}
