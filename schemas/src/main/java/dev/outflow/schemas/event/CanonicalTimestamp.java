package dev.outflow.schemas.event;

import java.time.YearMonth;

/**
 * The fast path of timestamp validation: recognizes the one form Segment's libraries send
 * ({@code 2026-11-23T09:00:00.123Z}, or with a {@code +01:00} offset) with every field in range, without the
 * lenient {@link java.time.format.DateTimeFormatter}, whose parse-and-resolve was the parser's hottest frame in the
 * throughput benchmark's profile. Anything else is left to the lenient formatter, so this only ever says yes to
 * text that formatter accepts too.
 */
final class CanonicalTimestamp {

    private CanonicalTimestamp() {}

    /** True when {@code text} is {@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM)} and a real instant. */
    static boolean matches(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return false;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > YearMonth.of(year, month).lengthOfMonth()) {
            return false;
        }
        int index = 19;
        if (text.charAt(index) == '.') {
            int fractionStart = ++index;
            while (index < length && isDigit(text.charAt(index))) {
                index++;
            }
            int fractionDigits = index - fractionStart;
            if (fractionDigits < 1 || fractionDigits > 9) {
                return false;
            }
        }
        if (index == length - 1) {
            return text.charAt(index) == 'Z';
        }
        if (index != length - 6 || (text.charAt(index) != '+' && text.charAt(index) != '-')
                || text.charAt(index + 3) != ':') {
            return false;
        }
        int offsetHours = digits(text, index + 1, 2);
        int offsetMinutes = digits(text, index + 4, 2);
        return offsetHours >= 0 && offsetHours < 18 && offsetMinutes >= 0 && offsetMinutes <= 59;
    }

    /** The number in {@code count} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
