package dev.outflow.operators.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.delivery.DeliveryBatch;
import dev.outflow.schemas.event.Json;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URL of an Actions request. A subscription's URL may hold {@code {{path}}} placeholders, which read the
 * request body (the mapping's output, so the URL uses the same fields the action sends) and are URL-encoded. A
 * missing value renders empty. Such subscriptions send one event per request (the catalog enforces it).
 */
public final class ActionUrl {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}\\s]+)\\s*}}");

    private ActionUrl() {}

    /** The URL to send {@code batch} to: the endpoint itself unless it has placeholders. */
    public static String of(DestinationConfig target, DeliveryBatch batch) {
        String template = target.endpoint();
        if (!template.contains("{{")) {
            return template;
        }
        return render(template, Json.readTree(batch.events()[0].payload()));
    }

    public static String render(String template, JsonNode body) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder url = new StringBuilder();
        while (matcher.find()) {
            JsonNode value = body;
            for (String part : matcher.group(1).split("\\.")) {
                value = value.path(part);
            }
            String text = value.isValueNode() && !value.isNull() ? value.asText() : "";
            matcher.appendReplacement(url, Matcher.quoteReplacement(
                    URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20")));
        }
        matcher.appendTail(url);
        return url.toString();
    }
}
