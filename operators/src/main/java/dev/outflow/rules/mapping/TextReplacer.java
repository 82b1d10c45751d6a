package dev.outflow.rules.mapping;

/**
 * {@code String.prototype.replace} with an escaped (literal) pattern, as {@code @replace} uses it:
 * literal matching, optional case folding, first-or-all, and JavaScript's {@code $$ $& $` $'}
 * replacement patterns (there are no capture groups, so {@code $1} stays literal).
 */
final class TextReplacer {
    private TextReplacer() {}

    static String replace(String value, String pattern, String replacement, boolean global, boolean ignoreCase) {
        if (pattern.isEmpty()) {
            return value;
        }
        int match = indexOf(value, pattern, 0, ignoreCase);
        if (match < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + replacement.length());
        int copiedUpTo = 0;
        while (match >= 0) {
            int end = match + pattern.length();
            out.append(value, copiedUpTo, match);
            appendExpanded(out, replacement, value, match, end);
            copiedUpTo = end;
            if (!global) {
                break;
            }
            match = indexOf(value, pattern, end, ignoreCase);
        }
        return out.append(value, copiedUpTo, value.length()).toString();
    }

    private static int indexOf(String value, String pattern, int from, boolean ignoreCase) {
        if (!ignoreCase) {
            return value.indexOf(pattern, from);
        }
        for (int i = from; i + pattern.length() <= value.length(); i++) {
            if (value.regionMatches(true, i, pattern, 0, pattern.length())) {
                return i;
            }
        }
        return -1;
    }

    private static void appendExpanded(StringBuilder out, String replacement, String value, int start, int end) {
        if (replacement.indexOf('$') < 0) {
            out.append(replacement);
            return;
        }
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '$' && i + 1 < replacement.length()) {
                char next = replacement.charAt(i + 1);
                switch (next) {
                    case '$' -> { out.append('$'); i++; continue; }
                    case '&' -> { out.append(value, start, end); i++; continue; }
                    case '`' -> { out.append(value, 0, start); i++; continue; }
                    case '\'' -> { out.append(value, end, value.length()); i++; continue; }
                    default -> { }
                }
            }
            out.append(c);
        }
    }
}
