package dev.outflow.operators.delivery;

import java.util.List;
import java.util.Map;

/**
 * A request with any method and headers, for callers that need the whole response (destination functions'
 * {@code fetch}), unlike the delivery POST which only needs a status.
 *
 * @param method HTTP method, upper case
 * @param uri absolute http or https URI
 * @param headers header name/value pairs in order; a name may repeat
 * @param body request body, or null for none
 * @param timeoutMs the whole exchange, connect included
 * @param maxResponseBytes response bytes kept; beyond that the response is marked truncated
 */
public record HttpExchange(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body,
        long timeoutMs, int maxResponseBytes) {

    public HttpExchange {
        headers = List.copyOf(headers);
    }

    /**
     * The response to an {@link HttpExchange}.
     *
     * @param status HTTP status
     * @param headers every response header, lower-case names, in order
     * @param body the body, at most {@code maxResponseBytes}
     * @param truncated whether the body was longer than {@code maxResponseBytes}
     */
    public record Response(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean truncated) {

        public Response {
            headers = List.copyOf(headers);
        }
    }
}
