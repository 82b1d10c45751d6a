package dev.outflow.rules.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code @template}: {@code {{a.b}}} placeholders filled from the event, missing or null values as
 * the empty string. Upstream runs a triple-brace pass and then a double-brace pass over the result,
 * and no longer HTML-escapes either, so both passes here are plain substitutions.
 *
 * <p>A template known when the mapping loads is split into text and paths once: rendering is then
 * one pass with no regular expression. That is exact only without triple-brace placeholders (their
 * values would be scanned again by the double-brace pass), so those keep the two passes.
 */
final class PlaceholderTemplate implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern TRIPLE = Pattern.compile("\\{\\{\\{([^}]+)\\}\\}\\}");
    private static final Pattern DOUBLE = Pattern.compile("\\{\\{([^}]+)\\}\\}");

    private final String template;
    /** The text around the placeholders (one more than {@link #paths}); null when two passes are needed. */
    private final String[] texts;
    private final JsPath[] paths;

    private PlaceholderTemplate(String template, String[] texts, JsPath[] paths) {
        this.template = template;
        this.texts = texts;
        this.paths = paths;
    }

    static boolean hasPlaceholders(String template) {
        return DOUBLE.matcher(template).find();
    }

    static PlaceholderTemplate compile(String template) {
        if (TRIPLE.matcher(template).find()) {
            return new PlaceholderTemplate(template, null, null);
        }
        List<String> texts = new ArrayList<>();
        List<JsPath> paths = new ArrayList<>();
        Matcher matcher = DOUBLE.matcher(template);
        int copiedUpTo = 0;
        while (matcher.find()) {
            texts.add(template.substring(copiedUpTo, matcher.start()));
            paths.add(JsPath.parse(matcher.group(1).strip()));
            copiedUpTo = matcher.end();
        }
        texts.add(template.substring(copiedUpTo));
        return new PlaceholderTemplate(template, texts.toArray(String[]::new), paths.toArray(JsPath[]::new));
    }

    String render(JsonNode data) {
        if (texts == null) {
            return render(template, data);
        }
        StringBuilder out = new StringBuilder(template.length() + 16);
        for (int i = 0; i < paths.length; i++) {
            out.append(texts[i]);
            appendValue(out, paths[i].read(data));
        }
        return out.append(texts[paths.length]).toString();
    }

    /** A template that is itself computed per event. */
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
            appendValue(out, JsPath.parse(matcher.group(1).strip()).read(data));
            copiedUpTo = matcher.end();
        } while (matcher.find());
        return out.append(text, copiedUpTo, text.length()).toString();
    }

    private static void appendValue(StringBuilder out, JsonNode value) {
        if (!JsValues.isNullish(value)) {
            out.append(JsValues.toJsString(value));
        }
    }

    @Override
    public String toString() {
        return template;
    }
}
