package dev.outflow.rules.fql;

import dev.outflow.rules.fql.FqlToken.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizer with the exact behaviour of {@code @segment/fql-ts}' lexer, which decides what upstream accepts.
 * Its quirks are deliberate here:
 *
 * <ul>
 *   <li>Keywords ({@code and}, {@code or}, {@code null}) and two-character operators ({@code !=}, {@code <=},
 *       {@code >=}) only count when a terminator (whitespace, {@code ,}, {@code ]}, {@code )} or the end) follows;
 *       {@code a<=5} lexes as {@code <}, {@code =}, {@code 5}, and {@code a!="x"} is an error.
 *   <li>A closing quote not followed by a terminator is left unread, so it opens a new string.
 *   <li>Only space, tab and newline are whitespace; a carriage return is an invalid character.
 *   <li>When the end of input interrupts a keyword check, the characters read so far are dropped
 *       ({@code type = an} lexes the value as {@code a}).
 * </ul>
 */
final class FqlLexer {

    private static final int END = -1;
    // Upstream's guards against runaway tokens.
    private static final int MAXIMUM_TOKEN_LENGTH = 100_000;

    private final String source;
    private int position;

    private FqlLexer(String source) {
        this.source = source;
    }

    static List<FqlToken> tokenize(String source) {
        return new FqlLexer(source).tokens();
    }

    private List<FqlToken> tokens() {
        List<FqlToken> tokens = new ArrayList<>();
        while (true) {
            int start = position;
            int c = next();
            if (c == END) {
                tokens.add(FqlToken.endOfStream(start));
                return tokens;
            }
            if (isWhitespace(c)) {
                continue;
            }
            if (c == '!' && (isAlpha(peek()) || peek() == '(')) {
                tokens.add(new FqlToken(Type.OPERATOR, "!", start));
                continue;
            }
            if (isAlpha(c) || c == '!' || c == '=' || c == '>' || c == '<' || c == '_') {
                tokens.add(operatorConditionalOrIdent((char) c, start));
                continue;
            }
            if (isDigit(c) || c == '-' || c == '+') {
                tokens.add(number((char) c, start));
                continue;
            }
            if (c == '"' || c == '\'') {
                tokens.add(string((char) c, start));
                continue;
            }
            Type punctuation = punctuation(c);
            if (punctuation == null) {
                throw error("invalid character \"" + (char) c + "\"", start);
            }
            tokens.add(new FqlToken(punctuation, String.valueOf((char) c), start));
        }
    }

    private static Type punctuation(int c) {
        return switch (c) {
            case '.' -> Type.DOT;
            case '[' -> Type.BRACK_LEFT;
            case ']' -> Type.BRACK_RIGHT;
            case ',' -> Type.COMMA;
            case '(' -> Type.PAREN_LEFT;
            case ')' -> Type.PAREN_RIGHT;
            default -> null;
        };
    }

    private FqlToken string(char quote, int start) {
        StringBuilder content = new StringBuilder();
        while (peek() != quote) {
            int c = next();
            if (c == END) {
                throw error("unterminated string, expected closing " + quote, start);
            }
            content.append((char) c);
            if (content.length() >= MAXIMUM_TOKEN_LENGTH) {
                throw error("unreasonable string length", start);
            }
        }
        accept(String.valueOf(quote));
        return new FqlToken(Type.STRING, quote + content.toString() + quote, start);
    }

    private FqlToken number(char first, int start) {
        StringBuilder text = new StringBuilder().append(first);
        boolean seenDecimalPoint = false;
        int comingUp = peek();
        while (isDigit(comingUp) || comingUp == '.') {
            text.append((char) next());
            if (comingUp == '.') {
                if (isTerminator(peek())) {
                    throw error("unexpected terminator after decimal point", position);
                }
                if (seenDecimalPoint) {
                    throw error("multiple decimal points in one number", position);
                }
                seenDecimalPoint = true;
            }
            if (text.length() > MAXIMUM_TOKEN_LENGTH) {
                throw error("unreasonable number length", start);
            }
            comingUp = peek();
        }
        return new FqlToken(Type.NUMBER, text.toString(), start);
    }

    private FqlToken operatorConditionalOrIdent(char first, int start) {
        switch (first) {
            case '=':
                return new FqlToken(Type.OPERATOR, "=", start);
            case '!':
                if (accept("=")) {
                    return new FqlToken(Type.OPERATOR, "!=", start);
                }
                throw error("expected '=' after '!', got '" + describe(peek()) + "'", position);
            case '<':
            case '>':
                String operator = accept("=") ? first + "=" : String.valueOf(first);
                return new FqlToken(Type.OPERATOR, operator, start);
            case 'a':
                return accept("nd") ? new FqlToken(Type.CONDITIONAL, "and", start) : ident(first, start);
            case 'o':
                return accept("r") ? new FqlToken(Type.CONDITIONAL, "or", start) : ident(first, start);
            case 'n':
                return accept("ull") ? new FqlToken(Type.NULL, "null", start) : ident(first, start);
            default:
                return ident(first, start);
        }
    }

    private FqlToken ident(char first, int start) {
        StringBuilder text = new StringBuilder().append(first);
        while (isIdentPart(peek())) {
            int c = next();
            if (c == '\\') {
                if (peek() == END) {
                    throw error("expected character after escape character, got end of input", position);
                }
                c = next();
            }
            text.append((char) c);
            if (text.length() > MAXIMUM_TOKEN_LENGTH) {
                throw error("unreasonable literal length", start);
            }
        }
        int comingUp = peek();
        if (!(isTerminator(comingUp) || comingUp == '.' || comingUp == '(' || comingUp == '=' || comingUp == '!')) {
            throw error(
                    "expected termination character after identifier '" + text + "', got '" + describe(comingUp) + "'",
                    position);
        }
        return new FqlToken(Type.IDENT, text.toString(), start);
    }

    /**
     * Consumes {@code expected} when it is next and a terminator follows it; otherwise rewinds. Upstream does not
     * rewind when it runs into the end of input, and neither do we.
     */
    private boolean accept(String expected) {
        int start = position;
        for (int i = 0; i < expected.length(); i++) {
            int c = next();
            if (c == END) {
                return false;
            }
            if (isTerminator(c)) {
                break;
            }
        }
        if (source.regionMatches(start, expected, 0, expected.length())
                && position - start == expected.length()
                && isTerminator(peek())) {
            return true;
        }
        position = start;
        return false;
    }

    private int next() {
        return position < source.length() ? source.charAt(position++) : END;
    }

    private int peek() {
        return position < source.length() ? source.charAt(position) : END;
    }

    private FqlParseException error(String message, int at) {
        return new FqlParseException(message, source, at);
    }

    private static String describe(int c) {
        return c == END ? "end of input" : String.valueOf((char) c);
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    private static boolean isTerminator(int c) {
        return c == END || isWhitespace(c) || c == ',' || c == ']' || c == ')';
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentPart(int c) {
        return isAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '\\';
    }
}
