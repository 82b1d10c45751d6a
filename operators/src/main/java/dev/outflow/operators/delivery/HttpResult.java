package dev.outflow.operators.delivery;

import java.util.Map;

/**
 * What came back from an endpoint.
 *
 * @param status HTTP status code
 * @param headers the response headers the job acts on (for example {@code Retry-After}), lower-case names
 * @param body the response body, cut at {@link HttpTransport#MAX_RESPONSE_BYTES}
 */
public record HttpResult(int status, Map<String, String> headers, byte[] body) {}
