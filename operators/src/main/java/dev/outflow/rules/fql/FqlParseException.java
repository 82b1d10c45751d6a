package dev.outflow.rules.fql;

/**
 * A subscription string that Segment's FQL parser rejects. This is a configuration error: the subscription
 * can never match an event.
 */
public final class FqlParseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int position;

    FqlParseException(String message, String source, int position) {
        super(message + " at position " + position + " in " + quote(source));
        this.position = position;
    }

    /** Zero-based character offset into the subscription string where the problem was found. */
    public int position() {
        return position;
    }

    private static String quote(String source) {
        return "'" + source + "'";
    }
}
