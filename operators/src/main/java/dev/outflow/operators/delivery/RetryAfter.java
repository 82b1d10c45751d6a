package dev.outflow.operators.delivery;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP date (RFC 9110, section 10.2.3). */
public final class RetryAfter {

    /** A destination cannot silence us for longer than this with one header; the retry window still applies. */
    static final long MAX_DELAY_MS = 6 * 3_600_000L;

    private RetryAfter() {}

    /**
     * The time (ms) before which the destination asked not to be called, or 0 when {@code value} is missing or
     * unreadable (then ordinary backoff applies).
     */
    public static long until(String value, long now) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        String trimmed = value.trim();
        long until;
        if (trimmed.chars().allMatch(Character::isDigit)) {
            if (trimmed.length() > 9) {
                until = now + MAX_DELAY_MS;
            } else {
                until = now + Long.parseLong(trimmed) * 1_000;
            }
        } else {
            try {
                until = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return 0;
            }
        }
        return Math.max(now, Math.min(until, now + MAX_DELAY_MS));
    }
}
