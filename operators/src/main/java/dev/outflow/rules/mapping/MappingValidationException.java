package dev.outflow.rules.mapping;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A mapping was rejected when it was compiled. Carries every problem found, each with the
 * slash-separated path of the offending directive (for example {@code /properties/foo/@if}).
 */
public final class MappingValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** One rejected spot in a mapping. {@code message} reads the way upstream's validator words it. */
    public record Problem(String path, String message) implements java.io.Serializable {
        @Override
        public String toString() {
            return path + " " + message + ".";
        }
    }

    private final List<Problem> problems;

    public MappingValidationException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining(" | ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** Path of the first problem, e.g. {@code /properties/foo/@if}. */
    public String path() {
        return problems.get(0).path();
    }
}
