package dev.outflow.rules.fql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstream behaviours that the recorded vectors do not cover but that follow from upstream's code. */
class SubscriptionQuirksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mixedAndOrTakesTheLastConnectiveForTheWholeGroup() {
        Subscription subscription = Subscription.parse("type = \"track\" and event = \"A\" or event = \"B\"");
        assertThat(subscription.ast().operator()).isEqualTo(GroupOperator.OR);
        assertThat(subscription.ast().children()).hasSize(3);
        assertThat(subscription.matches(json("{\"type\":\"identify\",\"event\":\"B\"}"))).isTrue();
    }

    @Test
    void capitalisedConnectivesAreSkippedSoConditionsAreAnded() {
        Subscription subscription = Subscription.parse("type = \"track\" OR type = \"page\"");
        assertThat(subscription.ast().operator()).isEqualTo(GroupOperator.AND);
        assertThat(subscription.matches(json("{\"type\":\"track\"}"))).isFalse();
    }

    @Test
    void identifyAndGroupCallsReadTraitsForProperties() {
        Subscription subscription = Subscription.parse("properties.plan = \"pro\"");
        assertThat(subscription.matches(json("{\"type\":\"identify\",\"traits\":{\"plan\":\"pro\"}}"))).isTrue();
        assertThat(subscription.matches(json("{\"type\":\"track\",\"traits\":{\"plan\":\"pro\"}}"))).isFalse();
    }

    @Test
    void pathsWalkArraysAndStopAtFalsyValues() {
        assertThat(Subscription.parse("properties.items.length > 1")
                .matches(json("{\"properties\":{\"items\":[1,2]}}"))).isTrue();
        // brackets must be escaped to get past the lexer; the path lookup then splits on them
        assertThat(Subscription.parse("properties.items\\[1\\].sku = \"b\"")
                .matches(json("{\"properties\":{\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}]}}"))).isTrue();
        // a.b on {"a": 0} resolves to 0, which exists
        assertThat(Subscription.parse("properties.a.b != null")
                .matches(json("{\"properties\":{\"a\":0}}"))).isTrue();
    }

    @Test
    void comparisonsAreStrictlyTyped() {
        JsonNode event = json("{\"properties\":{\"n\":\"5\",\"m\":5}}");
        assertThat(Subscription.parse("properties.n < 10").matches(event)).isFalse();
        assertThat(Subscription.parse("properties.m < 10").matches(event)).isTrue();
        assertThat(Subscription.parse("properties.m = \"5\"").matches(event)).isFalse();
        assertThat(Subscription.parse("properties.m = 5").matches(event)).isTrue();
    }

    @Test
    void keywordsAndOperatorsNeedATerminatorAfterThem() {
        // "<=5" lexes as "<", "=", "5": the value of the condition is the "=" token
        Subscription subscription = Subscription.parse("properties.m <=5");
        FqlCondition condition = (FqlCondition) subscription.ast().children().get(0);
        assertThat(condition.operator()).isEqualTo(Operator.LESS_THAN);
        assertThat(condition.value()).isEqualTo("=");
    }

    @Test
    void matchWithoutWildcardDropsTheFirstCharacter() {
        FqlCondition condition = (FqlCondition) Subscription.parse("match(event, \"Order\")").ast().children().get(0);
        assertThat(condition.operator()).isEqualTo(Operator.ENDS_WITH);
        assertThat(condition.value()).isEqualTo("rder");
    }

    @Test
    void singleQuotedStringsKeepTheirQuotes() {
        assertThat(Subscription.parse("type = 'track'").matches(json("{\"type\":\"track\"}"))).isFalse();
        assertThat(Subscription.parse("type = 'track'").matches(json("{\"type\":\"'track'\"}"))).isTrue();
    }

    @Test
    void nonObjectEventsOnlyMatchNegations() {
        assertThat(Subscription.parse("type != \"track\"").matches(json("\"\""))).isTrue();
        assertThat(Subscription.parse("type = \"track\"").matches(json("[]"))).isFalse();
        assertThat(Subscription.parse("type != \"track\"").matches(json("null"))).isFalse();
        assertThat(Subscription.parse("type != \"track\"").matches(null)).isFalse();
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        Subscription original = Subscription.parse("type = \"track\" and (contains(event, \"Order\") or properties.total >= 100)");
        Subscription copy = roundTrip(original);
        assertThat(copy).isEqualTo(original);
        assertThat(copy.ast()).isEqualTo(original.ast());
        assertThat(copy.matches(json("{\"type\":\"track\",\"event\":\"x\",\"properties\":{\"total\":120}}"))).isTrue();
    }

    private static Subscription roundTrip(Subscription subscription) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(subscription);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Subscription) in.readObject();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
