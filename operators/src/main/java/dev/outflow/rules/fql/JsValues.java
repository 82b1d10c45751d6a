package dev.outflow.rules.fql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * JavaScript's {@code Number(x)} and {@code String(x)} conversions, which upstream applies to token values and
 * condition values. Only used while parsing and compiling, never per event.
 */
final class JsValues {

    private static final Pattern DECIMAL_LITERAL =
            Pattern.compile("[+-]?(?:Infinity|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    private static final Pattern HEX_LITERAL = Pattern.compile("0[xX][0-9a-fA-F]+");
    private static final Pattern OCTAL_LITERAL = Pattern.compile("0[oO][0-7]+");
    private static final Pattern BINARY_LITERAL = Pattern.compile("0[bB][01]+");

    private JsValues() {}

    /** {@code Number(value)} for the values an AST holds; undefined (null) is NaN. */
    static double toNumber(Object value) {
        if (value == null) {
            return Double.NaN;
        }
        if (value instanceof Double number) {
            return number;
        }
        if (value instanceof Boolean bool) {
            return bool ? 1 : 0;
        }
        return stringToNumber(value.toString());
    }

    static double stringToNumber(String text) {
        String trimmed = trimJsWhitespace(text);
        if (trimmed.isEmpty()) {
            return 0;
        }
        if (DECIMAL_LITERAL.matcher(trimmed).matches()) {
            if (trimmed.endsWith("Infinity")) {
                return trimmed.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return Double.parseDouble(trimmed);
        }
        if (HEX_LITERAL.matcher(trimmed).matches()) {
            return new BigInteger(trimmed.substring(2), 16).doubleValue();
        }
        if (OCTAL_LITERAL.matcher(trimmed).matches()) {
            return new BigInteger(trimmed.substring(2), 8).doubleValue();
        }
        if (BINARY_LITERAL.matcher(trimmed).matches()) {
            return new BigInteger(trimmed.substring(2), 2).doubleValue();
        }
        return Double.NaN;
    }

    /** {@code String(value)}; undefined (null) is {@code "undefined"}. */
    static String toJsString(Object value) {
        if (value == null) {
            return "undefined";
        }
        if (value instanceof Double number) {
            return numberToString(number);
        }
        return value.toString();
    }

    /** ECMAScript Number::toString: shortest round-trip digits, exponent only outside 1e-7 .. 1e21. */
    static String numberToString(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return "0";
        }
        if (value < 0) {
            return "-" + numberToString(-value);
        }
        BigDecimal shortest = shortestRoundTrip(value);
        String digits = shortest.unscaledValue().toString();
        // value = 0.digits * 10^pointPosition, as in the spec's k and n
        int k = digits.length();
        int n = k - shortest.scale();
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        String exponent = (n - 1 >= 0 ? "+" : "-") + Math.abs(n - 1);
        String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + exponent;
    }

    // Double.toString in Java 17 does not always give the shortest digits, so search for them.
    private static BigDecimal shortestRoundTrip(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == value) {
                return candidate.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    private static String trimJsWhitespace(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isJsWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && isJsWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isJsWhitespace(char c) {
        return c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == 0xA0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000 || c == 0xFEFF;
    }
}
