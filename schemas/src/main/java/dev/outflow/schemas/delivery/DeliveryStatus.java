package dev.outflow.schemas.delivery;

/** Where an (event, destination) pair ended up. Every pair ends in exactly one of these. */
public enum DeliveryStatus {
    DELIVERED,
    /** Not sent, by rule: the delivery-log record names the rule. */
    FILTERED,
    /** Could not be delivered: the dead-letter topic has the event and the reason. */
    DEAD_LETTERED
}
