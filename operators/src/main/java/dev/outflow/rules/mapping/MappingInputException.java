package dev.outflow.rules.mapping;

/** The event handed to a mapping was not a JSON object, so no directive was run. */
public final class MappingInputException extends MappingRuntimeException {
    private static final long serialVersionUID = 1L;

    public MappingInputException(String message) {
        super(message);
    }
}
