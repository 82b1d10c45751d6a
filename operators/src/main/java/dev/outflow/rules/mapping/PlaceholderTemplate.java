package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code @template}: {@code {{a.b}}} placeholders filled from the event, missing or null values as
 * the empty string. Upstream runs a triple-brace pass and then a double-brace pass over the result,
 * and no longer HTML-escapes either, so both passes here are plain substitutions.
 */
final class PlaceholderTemplate {
    private static final Pattern TRIPLE = Pattern.compile("\\{\\{\\{([^}]+)\\}\\}\\}");
    private static final Pattern DOUBLE = Pattern.compile("\\{\\{([^}]+)\\}\\}");

    private PlaceholderTemplate() {}

    static boolean hasPlaceholders(String template) {
        return DOUBLE.matcher(template).find();
    }

    static String render(String template, JsonNode data) {
        return substitute(substitute(template, TRIPLE, data), DOUBLE, data);
    }

    private static String substitute(String text, Pattern placeholder, JsonNode data) {
        Matcher matcher = placeholder.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copiedUpTo = 0;
        do {
            out.append(text, copiedUpTo, matcher.start());
            JsonNode value = JsPath.parse(matcher.group(1).strip()).read(data);
            if (!JsValues.isNullish(value)) {
                out.append(JsValues.toJsString(value));
            }
            copiedUpTo = matcher.end();
        } while (matcher.find());
        return out.append(text, copiedUpTo, text.length()).toString();
    }
}
