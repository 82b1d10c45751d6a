package dev.outflow.jobs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code outflow mapping eval}, {@code fql eval} and {@code actions test} as a user runs them. */
class RuleCommandsTest {

    private static final String EVENT = """
            {"type":"track","userId":"u-1","event":"Order Completed","messageId":"m-1",
             "properties":{"orderId":"o-9","total":42.5},"context":{"traits":{"email":"Jane@Example.com"}}}""";

    @TempDir
    Path dir;

    @Test
    void mappingEvalPrintsTheMappedJson() throws IOException {
        OutflowCliTest.Result result = run("mapping", "eval", "--mapping", file("m.json",
                "{\"order\":{\"@path\":\"$.properties.orderId\"},\"label\":{\"@template\":\"{{event}}!\"}}"),
                "--input", file("e.json", EVENT));
        assertThat(result.exit()).isZero();
        assertThat(result.out().replaceAll("\\s", "")).isEqualTo("{\"order\":\"o-9\",\"label\":\"OrderCompleted!\"}");
    }

    @Test
    void anInvalidMappingExitsWithTwoAndThePathOfTheBadDirective() throws IOException {
        OutflowCliTest.Result result = run("mapping", "eval", "--mapping", file("m.json", "{\"a\":{\"b\":{\"@template\":false}}}"),
                "--input", file("e.json", EVENT));
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("invalid mapping at /a/b/@template").doesNotContain("\tat ");
        assertThat(run("mapping", "eval", "--mapping", file("bad.json", "{oops"), "--input", file("e.json", EVENT))
                .exit()).isEqualTo(2);
    }

    @Test
    void fqlEvalPrintsTrueOrFalse() throws IOException {
        String event = file("e.json", EVENT);
        assertThat(run("fql", "eval", "--subscription", "type = \"track\" and event = \"Order Completed\"",
                "--event", event).out().trim()).isEqualTo("true");
        assertThat(run("fql", "eval", "--subscription", "event = \"Signed Up\"", "--event", event).out().trim())
                .isEqualTo("false");
    }

    @Test
    void anFqlParseErrorExitsWithTwoAndItsPosition() throws IOException {
        OutflowCliTest.Result result = run("fql", "eval", "--subscription", "type * \"track\"", "--event", file("e.json", EVENT));
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("invalid subscription", "position").doesNotContain("\tat ");
        assertThat(run("fql", "eval", "--subscription", "type = \"track\"", "--event", dir.resolve("none.json")
                .toString()).exit()).isEqualTo(2);
    }

    @Test
    void actionsTestShowsWhichSubscriptionsFireAndTheirRequestsWithSecretsMasked() throws IOException {
        OutflowCliTest.Result result = run("actions", "test", "--config", catalog(), "--destination", "crm", "--event",
                file("e.json", EVENT));
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains(
                "crm (actions): 1 of 2 subscription(s) fire",
                "[skipped] crm/upsert-contact: subscription_not_matched",
                "[fires]   crm/track-order (CRM / Track Order)",
                "PUT https://crm.example/orders/o-9",
                "Authorization: ****",
                "X-Outflow-Sync-Mode: add",
                "Idempotency-Key: m-1",
                "\"total\" : 42.5");
        assertThat(result.out()).doesNotContain("s3cr3t");
    }

    @Test
    void actionsTestRejectsBadInputWithTwo() throws IOException {
        String catalog = catalog();
        assertThat(run("actions", "test", "--config", catalog, "--destination", "nope", "--event",
                file("e.json", EVENT)).err()).contains("no destination 'nope'");
        OutflowCliTest.Result badEvent = run("actions", "test", "--config", catalog, "--destination", "crm", "--event",
                file("bad.json", "{\"type\":\"track\",\"userId\":\"u\"}"));
        assertThat(badEvent.exit()).isEqualTo(2);
        assertThat(badEvent.err()).contains("not a valid Segment event", "missing_field");
        OutflowCliTest.Result badCatalog = run("actions", "test", "--config", file("bad.yaml", """
                destinations:
                  - id: crm
                    type: actions
                    subscriptions:
                      - {name: A, subscribe: 'type * "track"', mapping: {a: 1}, action: {url: "https://crm.example"}}
                """), "--destination", "crm", "--event", file("e.json", EVENT));
        assertThat(badCatalog.exit()).isEqualTo(2);
        assertThat(badCatalog.err()).contains("destination 'crm', field 'subscriptions[0].subscribe'");
    }

    private String catalog() throws IOException {
        return file("catalog.yaml", """
                destinations:
                  - id: crm
                    name: CRM
                    type: actions
                    headers: {Authorization: "Bearer s3cr3t"}
                    subscriptions:
                      - name: Upsert Contact
                        subscribe: 'type = "identify"'
                        mapping: {email: {"@path": "$.traits.email"}}
                        action: {url: "https://crm.example/contacts"}
                      - name: Track Order
                        subscribe: 'event = "Order Completed"'
                        syncMode: add
                        mapping: {id: {"@path": "$.properties.orderId"}, total: {"@path": "$.properties.total"}}
                        action: {method: PUT, url: "https://crm.example/orders/{{id}}"}
                """);
    }

    private String file(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file.toString();
    }

    private static OutflowCliTest.Result run(String... args) {
        return OutflowCliTest.run(args);
    }
}
