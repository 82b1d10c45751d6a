package dev.outflow.operators.delivery;

import dev.outflow.schemas.delivery.RoutedEvent;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PartialResponseTest {

    private static final RoutedEvent[] EVENTS = {event("a"), event("b"), event("c")};

    @Test
    void resultsMatchedByMessageIdInAnyOrder() {
        assertThat(statuses("{\"results\":[{\"messageId\":\"c\",\"status\":400},{\"messageId\":\"a\",\"status\":503}]}"))
                .containsExactly(503, 200, 400);
    }

    @Test
    void resultsByPositionAsNumbersOrObjects() {
        assertThat(statuses("[200, 429, 500]")).containsExactly(200, 429, 500);
        assertThat(statuses("{\"results\":[{\"status\":201},{\"status\":503}]}")).containsExactly(201, 503, 200);
    }

    @Test
    void whatTheBodyDoesNotSayCountsAsAccepted() {
        assertThat(statuses("not json")).containsExactly(200, 200, 200);
        assertThat(statuses("{\"ok\":true}")).containsExactly(200, 200, 200);
        assertThat(statuses("[\"fine\", 99, 700]")).containsExactly(200, 200, 200);
        assertThat(statuses("{\"results\":[{\"messageId\":\"zzz\",\"status\":500}]}")).containsExactly(200, 200, 200);
    }

    private static int[] statuses(String body) {
        return PartialResponse.itemStatuses(body.getBytes(StandardCharsets.UTF_8), EVENTS);
    }

    private static RoutedEvent event(String messageId) {
        return new RoutedEvent("crm", 0, messageId, "track", new byte[] {'{', '}'}, "events/0/1", 0);
    }
}
