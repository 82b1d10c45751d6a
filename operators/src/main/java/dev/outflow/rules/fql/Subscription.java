package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;

/**
 * A Segment subscription (the FQL "trigger" of an Actions destination, or a destination filter condition), parsed
 * and compiled once, then matched against events with Segment's exact semantics.
 *
 * <pre>{@code
 * Subscription subscription = Subscription.parse("type = \"track\" and event = \"Order Completed\"");
 * boolean send = subscription.matches(eventJson);
 * }</pre>
 *
 * <p>Behaviour follows {@code @segment/destination-subscriptions} and the {@code @segment/fql-ts} lexer,
 * quirks included: {@code and}/{@code or} have no precedence (a group uses the last one it contains),
 * parentheses do not nest, comparisons are strictly typed ({@code "123"} is not {@code 123}), and on identify and
 * group calls {@code properties.*} and {@code traits.*} both read {@code traits}.
 *
 * <p>Immutable and thread-safe. Matching allocates nothing on the common paths.
 */
public final class Subscription implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final FqlGroup ast;
    private final EventPredicate predicate;

    private Subscription(String source, FqlGroup ast) {
        this.source = source;
        this.ast = ast;
        this.predicate = SubscriptionCompiler.compile(ast);
    }

    /**
     * Parses an FQL subscription string.
     *
     * @throws FqlParseException when Segment would not accept the string; the subscription can match nothing
     */
    public static Subscription parse(String fql) {
        if (fql == null) {
            throw new FqlParseException("expected a subscription string, got null", "", 0);
        }
        return new Subscription(fql, FqlParser.parse(fql));
    }

    /** Whether the event (a Segment event as JSON) triggers this subscription. Null and JSON null match nothing. */
    public boolean matches(JsonNode event) {
        if (event == null || event.isNull() || event.isMissingNode()) {
            return false;
        }
        return predicate.test(event);
    }

    /** The string this subscription was parsed from. */
    public String source() {
        return source;
    }

    /** The parsed AST, in the shape of Segment's: always a group at the root. */
    public FqlGroup ast() {
        return ast;
    }

    /** The FQL that Segment's {@code generateFql} would write for this AST; usually {@link #source()}. */
    public String toFql() {
        return FqlGenerator.generate(ast);
    }

    /** Segment's {@code generateFql} for any AST, such as one read with {@link FqlAstJson#fromJson}. */
    public static String toFql(FqlGroup ast) {
        return FqlGenerator.generate(ast);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Subscription that && source.equals(that.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
