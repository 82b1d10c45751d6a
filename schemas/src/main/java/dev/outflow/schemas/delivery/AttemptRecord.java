package dev.outflow.schemas.delivery;

/**
 * One delivery attempt, as kept in an event's history and written with its dead letter.
 *
 * @param at when the attempt started (ms)
 * @param status HTTP status, or 0 when no response came
 * @param error what went wrong, or null when the attempt succeeded
 * @param latencyMs how long the attempt took
 */
public record AttemptRecord(long at, int status, String error, long latencyMs) {}
