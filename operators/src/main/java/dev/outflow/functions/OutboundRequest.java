package dev.outflow.functions;

import java.util.List;
import java.util.Map;

/**
 * One {@code fetch} a function made, secrets masked; what the {@code functions test} command prints.
 *
 * @param method HTTP method
 * @param url the URL
 * @param headers request headers in order
 * @param body the request body as text, capped, or null
 * @param status the response status, or 0 when none came
 * @param error why no response came, or null
 */
public record OutboundRequest(String method, String url, List<Map.Entry<String, String>> headers, String body,
        int status, String error) {

    public OutboundRequest {
        headers = List.copyOf(headers);
    }
}
