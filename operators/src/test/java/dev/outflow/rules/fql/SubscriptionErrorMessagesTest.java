package dev.outflow.rules.fql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubscriptionErrorMessagesTest {

    @Test
    void emptyStringSaysWhatWasExpected() {
        assertThatThrownBy(() -> Subscription.parse(""))
                .isInstanceOf(FqlParseException.class)
                .hasMessageContaining("expected a condition such as type = \"track\"")
                .hasMessageContaining("position 0");
    }

    @Test
    void invalidCharacterIsNamedWithItsPosition() {
        FqlParseException error = parseError("type * \"32456\"");
        assertThat(error).hasMessageContaining("invalid character \"*\"");
        assertThat(error.position()).isEqualTo(5);
    }

    @Test
    void missingValueNamesTheField() {
        assertThat(parseError("type")).hasMessageContaining("expected a value after 'type eos'");
    }

    @Test
    void unterminatedStringPointsAtItsOpeningQuote() {
        FqlParseException error = parseError("event = \"Order");
        assertThat(error).hasMessageContaining("unterminated string");
        assertThat(error.position()).isEqualTo(8);
    }

    @Test
    void bangMustBeFollowedByEqualsOrAFunction() {
        assertThat(parseError("type !\"track\"")).hasMessageContaining("expected '=' after '!', got '\"'");
    }

    @Test
    void unclosedParenthesisSaysParenthesesCannotNest() {
        assertThat(parseError("(type = \"track\" and (event = \"a\" or event = \"b\"))"))
                .hasMessageContaining("expected ')'")
                .hasMessageContaining("cannot nest");
    }

    @Test
    void functionWithoutArgumentsSaysWhichIsMissing() {
        assertThat(parseError("contains(")).hasMessageContaining("contains() is missing a 2nd argument");
    }

    @Test
    void badIdentifierTerminatorIsReported() {
        assertThat(parseError("properties.price>=100"))
                .hasMessageContaining("expected termination character after identifier 'price', got '>'");
    }

    @Test
    void nullSubscriptionIsRejected() {
        assertThatThrownBy(() -> Subscription.parse(null)).isInstanceOf(FqlParseException.class);
    }

    private static FqlParseException parseError(String fql) {
        try {
            Subscription.parse(fql);
        } catch (FqlParseException e) {
            return e;
        }
        throw new AssertionError("expected " + fql + " to be rejected");
    }
}
