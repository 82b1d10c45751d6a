package dev.outflow.rules.mapping;

/** A compiled mapping could not be applied to one particular event. */
public class MappingRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MappingRuntimeException(String message) {
        super(message);
    }

    public MappingRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
