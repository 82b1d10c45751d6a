package dev.outflow.operators.routing;

import java.util.Locale;

/**
 * The routing rules that keep an event from a destination (or from one subscription of an Actions destination), in
 * the order they are checked.
 */
public enum FilterReason {
    /** The destination is configured with {@code enabled: false}. */
    DESTINATION_DISABLED,
    /** {@code _metadata.bundled} names the destination: it was already sent in device mode. */
    BUNDLED_DEVICE_MODE,
    /** {@code integrations} sets the destination to false. */
    INTEGRATIONS_DISABLED,
    /** {@code integrations.All} is false and the destination is not switched back on. */
    INTEGRATIONS_ALL_FALSE,
    /** The destination does not take this event type (method compatibility). */
    EVENT_TYPE_NOT_SUPPORTED,
    /** The destination does not take events from this source (source compatibility). */
    SOURCE_NOT_ALLOWED,
    /** The event's userId is on the suppression list (privacy). */
    USER_SUPPRESSED,
    /** A destination filter sampled the event out. */
    FILTER_SAMPLED_OUT,
    /** A destination filter dropped the event. */
    FILTER_DROPPED,
    /** The event holds a field that a {@code drop_event} privacy rule blocks from the destination. */
    BLOCKED_FIELD,
    /** The subscription of an Actions destination is disabled. */
    SUBSCRIPTION_DISABLED,
    /** The trigger of an Actions subscription does not match the event. */
    SUBSCRIPTION_NOT_MATCHED,

    /** The destination already had an event with this messageId within its dedup window. */
    DUPLICATE_MESSAGE_ID;

    /** The code written to the delivery log and used as the metric label. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
