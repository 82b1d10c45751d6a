package dev.outflow.functions;

import java.util.List;

/**
 * What one handler call did, with every secret already masked.
 *
 * @param outcome how it ended
 * @param value what the handler resolved to, as JSON (null when it failed or returned nothing)
 * @param errorName the thrown error's name ({@code RetryError}, {@code TypeError}, ...), null when it succeeded
 * @param errorMessage the thrown error's message
 * @param logs captured {@code console} output, capped
 * @param requests every outbound {@code fetch}
 * @param durationNanos from the call to its outcome
 */
public record InvocationResult(FunctionOutcome outcome, String value, String errorName, String errorMessage,
        List<String> logs, List<OutboundRequest> requests, long durationNanos) {

    public InvocationResult {
        logs = List.copyOf(logs);
        requests = List.copyOf(requests);
    }

    /** One line for the delivery log and dead letters: category, error name and message. */
    public String describe() {
        if (outcome == FunctionOutcome.OK) {
            return null;
        }
        return "function " + outcome.category() + ": " + errorName + (errorMessage == null || errorMessage.isEmpty()
                ? "" : ": " + errorMessage);
    }
}
