package dev.outflow.rules.fql;

/** One token of the FQL lexer. {@code text} is what upstream calls the token value. */
record FqlToken(Type type, String text, int position) {

    enum Type {
        IDENT,
        DOT,
        OPERATOR,
        CONDITIONAL,
        STRING,
        NUMBER,
        NULL,
        BRACK_LEFT,
        BRACK_RIGHT,
        PAREN_LEFT,
        PAREN_RIGHT,
        COMMA,
        EOS
    }

    static FqlToken endOfStream(int position) {
        return new FqlToken(Type.EOS, "eos", position);
    }

    boolean is(Type expected) {
        return type == expected;
    }
}
