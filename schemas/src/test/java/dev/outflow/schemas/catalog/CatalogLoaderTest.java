package dev.outflow.schemas.catalog;

import dev.outflow.schemas.event.EventType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Catalog loading: both formats, defaults, one precise message per mistake, and secrets kept out of sight. */
class CatalogLoaderTest {

    private static final String TOKEN = "s3cr3t-token-value";
    private static final Map<String, String> ENVIRONMENT = Map.of("SHOP_TOKEN", TOKEN, "SHOP_HOST", "shop.example");

    private final CatalogLoader loader = new CatalogLoader(ENVIRONMENT::get);

    @TempDir
    Path dir;

    @Test
    void loadsAFullYamlCatalog() throws IOException {
        Path file = write("catalog.yaml", """
                destinations:
                  - id: warehouse
                    name: Warehouse Webhook
                    type: webhook
                    endpoint: https://hooks.example.com/segment
                    headers:
                      X-Team: analytics
                    eventTypes: [track, identify, delete]
                    sourceIds: [web, ios]
                    batching:
                      maxEvents: 100
                      maxBytes: 512kb
                      maxWait: 2s
                      shards: 4
                    delivery:
                      timeout: 500ms
                      maxConcurrency: 16
                  - id: crm
                    type: WebHook
                    enabled: false
                    endpoint: http://127.0.0.1:8080/in
                """);

        DestinationCatalog catalog = loader.load(file);

        assertThat(catalog.source()).isEqualTo(file.toString());
        assertThat(catalog.destinations()).extracting(DestinationConfig::id).containsExactly("warehouse", "crm");
        DestinationConfig warehouse = catalog.get("warehouse");
        assertThat(warehouse.name()).isEqualTo("Warehouse Webhook");
        assertThat(warehouse.type()).isEqualTo(DestinationType.WEBHOOK);
        assertThat(warehouse.enabled()).isTrue();
        assertThat(warehouse.headers()).containsExactly(Map.entry("X-Team", "analytics"));
        assertThat(warehouse.secretHeaders()).isEmpty();
        assertThat(warehouse.eventTypes()).containsExactlyInAnyOrder(EventType.TRACK, EventType.IDENTIFY,
                EventType.DELETE);
        assertThat(warehouse.sourceIds()).containsExactlyInAnyOrder("web", "ios");
        assertThat(warehouse.batching()).isEqualTo(new BatchingConfig(100, 512 * 1024, 2_000, 4));
        assertThat(warehouse.delivery()).isEqualTo(new DeliveryConfig(500, 16));
    }

    @Test
    void omittedFieldsTakeTheirDefaults() {
        DestinationConfig crm = parseYaml("""
                destinations:
                  - id: crm
                    type: webhook
                    endpoint: http://127.0.0.1:8080/in
                """).get("crm");

        assertThat(crm.name()).isEqualTo("crm");
        assertThat(crm.enabled()).isTrue();
        assertThat(crm.headers()).isEmpty();
        assertThat(crm.eventTypes()).isEqualTo(CatalogLoader.DEFAULT_EVENT_TYPES).doesNotContain(EventType.DELETE);
        assertThat(crm.sourceIds()).isEmpty();
        assertThat(crm.acceptsSource(null)).isTrue();
        assertThat(crm.batching()).isEqualTo(BatchingConfig.SINGLE);
        assertThat(crm.batching().isSingle()).isTrue();
        assertThat(crm.delivery()).isEqualTo(DeliveryConfig.DEFAULTS);
    }

    @Test
    void retryDedupCircuitAndBatchModeAreReadWithTheirDefaults() {
        DestinationCatalog catalog = parseYaml(validDestination() + """
                    batching: {mode: bulk, maxEvents: 5000, maxWait: 30s}
                    delivery:
                      retry: {window: 1h, initialWait: 2s, maxWait: 5m}
                      dedupWindow: 12h
                      circuitOpen: 30s
                """);
        DestinationConfig shop = catalog.get("shop");
        assertThat(shop.batching().mode()).isEqualTo(BatchMode.BULK);
        assertThat(shop.batching().isBulk()).isTrue();
        assertThat(shop.delivery().retry()).isEqualTo(new RetryPolicy(3_600_000, 2_000, 300_000));
        assertThat(shop.delivery().dedupWindowMs()).isEqualTo(12 * 3_600_000L);
        assertThat(shop.delivery().circuitOpenMs()).isEqualTo(30_000);

        DestinationConfig plain = parseYaml(validDestination()).get("shop");
        assertThat(plain.batching().mode()).isEqualTo(BatchMode.STREAM);
        assertThat(plain.delivery().retry()).isEqualTo(RetryPolicy.DEFAULTS);
        assertThat(RetryPolicy.DEFAULTS.windowMs()).isEqualTo(4 * 3_600_000L);
        assertThat(plain.delivery().dedupWindowMs()).isEqualTo(24 * 3_600_000L);

        DestinationConfig onlyWindow = parseYaml(validDestination() + """
                    delivery: {retry: {window: 0ms, initialWait: 20m}}
                """).get("shop");
        assertThat(onlyWindow.delivery().retry()).isEqualTo(new RetryPolicy(0, 1_200_000, 1_200_000));
    }

    @Test
    void loadsAJsonCatalogByItsExtension() throws IOException {
        Path file = write("catalog.json", """
                {"destinations": [
                  {"id": "crm", "type": "webhook", "endpoint": "https://crm.example.com/in",
                   "batching": {"maxEvents": 10, "maxBytes": 65536, "maxWait": 250, "shards": 2},
                   "delivery": {"timeout": "1m"}}
                ]}""");

        DestinationConfig crm = loader.load(file).get("crm");

        assertThat(crm.batching()).isEqualTo(new BatchingConfig(10, 65_536, 250, 2));
        assertThat(crm.delivery()).isEqualTo(new DeliveryConfig(60_000, DeliveryConfig.DEFAULTS.maxConcurrency()));
    }

    @ParameterizedTest
    @CsvSource({
        "1500, 1500",
        "1500ms, 1500",
        "3s, 3000",
        "'3 s', 3000",
        "2m, 120000",
        "1h, 3600000",
        "10S, 10000"
    })
    void durationsTakeAnOptionalUnit(String written, long expectedMs) {
        assertThat(batchingWith("maxWait: '" + written + "'").maxWaitMs()).isEqualTo(expectedMs);
    }

    @ParameterizedTest
    @CsvSource({
        "2048, 2048",
        "2048b, 2048",
        "4kb, 4096",
        "4KiB, 4096",
        "2mb, 2097152",
        "'1 mib', 1048576"
    })
    void sizesTakeAnOptionalUnit(String written, long expectedBytes) {
        assertThat(batchingWith("maxBytes: '" + written + "'").maxBytes()).isEqualTo(expectedBytes);
    }

    @Test
    void environmentVariablesAreResolvedAnywhereInAStringValue() {
        DestinationConfig shop = parseYaml("""
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://${env:SHOP_HOST}/in
                    headers:
                      Authorization: "Bearer ${env:SHOP_TOKEN}"
                      X-Token: "${env:SHOP_TOKEN}"
                      X-Team: analytics
                """).get("shop");

        assertThat(shop.endpoint()).isEqualTo("https://shop.example/in");
        assertThat(shop.headers()).containsEntry("Authorization", "Bearer " + TOKEN)
                .containsEntry("X-Token", TOKEN);
        assertThat(shop.secretHeaders()).containsExactlyInAnyOrder("Authorization", "X-Token");
    }

    @Test
    void sensitiveHeaderNamesAreSecretEvenWithoutAVariable() {
        DestinationConfig shop = parseYaml("""
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://shop.example/in
                    headers: {x-api-key: literal-key, Cookie: session=1, X-Team: analytics}
                """).get("shop");

        assertThat(shop.secretHeaders()).containsExactlyInAnyOrder("x-api-key", "Cookie");
        assertThat(shop.maskedHeaders()).containsEntry("x-api-key", "****").containsEntry("Cookie", "****")
                .containsEntry("X-Team", "analytics");
    }

    @Test
    void theDefaultLoaderReadsTheProcessEnvironment() {
        String name = System.getenv().keySet().stream()
                .filter(key -> key.matches("[A-Za-z_][A-Za-z0-9_]*") && !System.getenv(key).isBlank())
                .findFirst().orElseThrow();

        DestinationConfig shop = new CatalogLoader().parse("inline.yaml", """
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://shop.example/in
                    headers: {X-Value: "${env:%s}"}
                """.formatted(name), false).get("shop");

        assertThat(shop.headers()).containsEntry("X-Value", System.getenv(name));
    }

    @Test
    void secretsNeverAppearInToString() {
        DestinationCatalog catalog = parseYaml("""
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://shop.example/in
                    headers:
                      Authorization: "Bearer ${env:SHOP_TOKEN}"
                      api-key: literal-api-key
                      X-Team: analytics
                """);
        DestinationConfig shop = catalog.get("shop");

        assertThat(shop.toString()).doesNotContain(TOKEN, "literal-api-key").contains("****", "analytics");
        assertThat(catalog.toString()).doesNotContain(TOKEN, "literal-api-key");
        assertThat(shop.maskedHeaders().toString()).doesNotContain(TOKEN);
    }

    @Test
    void aMissingVariableNamesItButNoValue() {
        assertThatThrownBy(() -> parseYaml("""
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://shop.example/in
                    headers: {Authorization: "Bearer ${env:SHOP_TOKEN} ${env:UNSET_VARIABLE}"}
                """))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("catalog.yaml")
                .hasMessageContaining("destination 'shop'")
                .hasMessageContaining("field 'headers.Authorization'")
                .hasMessageContaining("UNSET_VARIABLE")
                .hasMessageContaining("not set")
                .message().doesNotContain(TOKEN);
    }

    @Test
    void aMissingFileIsReportedWithItsName() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> loader.load(missing))
                .isInstanceOf(CatalogException.class)
                .hasMessage(missing + ": file not found");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> parseYaml("destinations:\n  - id: [shop\n"))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("catalog.yaml: not valid YAML at line");
    }

    @Test
    void invalidJsonIsReportedAsJson() throws IOException {
        Path file = write("catalog.json", "{\"destinations\": [}");

        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith(file + ": not valid JSON at line 1");
    }

    @Test
    void aCatalogMustBeAMappingWithDestinations() {
        assertThatThrownBy(() -> parseYaml("- id: shop\n"))
                .hasMessage("catalog.yaml: expected a mapping with a 'destinations' list");
        assertThatThrownBy(() -> parseYaml(""))
                .hasMessage("catalog.yaml: expected a mapping with a 'destinations' list");
        assertThatThrownBy(() -> parseYaml("sinks: []\n"))
                .hasMessage("catalog.yaml: field 'destinations': is required");
        assertThatThrownBy(() -> parseYaml("destinations: []\n"))
                .hasMessage("catalog.yaml: field 'destinations': must be a non-empty list");
        assertThatThrownBy(() -> parseYaml("destinations: {id: shop}\n"))
                .hasMessage("catalog.yaml: field 'destinations': must be a non-empty list");
    }

    @Test
    void anUnknownTopLevelFieldIsRejected() {
        assertThatThrownBy(() -> parseYaml(validDestination() + "destination: []\n"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("catalog.yaml: field 'destination': is not a known field (top level takes: destinations)");
    }

    @Test
    void aDestinationThatIsNotAMappingIsNamedByPosition() {
        assertThatThrownBy(() -> parseYaml(validDestination() + "  - just-a-string\n"))
                .isInstanceOf(CatalogException.class)
                .satisfies(e -> {
                    CatalogException error = (CatalogException) e;
                    assertThat(error.file()).isEqualTo("catalog.yaml");
                    assertThat(error.destination()).isEqualTo("#2");
                    assertThat(error.field()).isNull();
                })
                .hasMessage("catalog.yaml: destination '#2': must be a mapping");
    }

    @Test
    void duplicateIdsAreRejected() {
        assertThatThrownBy(() -> parseYaml(validDestination() + """
                  - id: shop
                    name: Other
                    type: webhook
                    endpoint: https://other.example/in
                """))
                .isInstanceOf(CatalogException.class)
                .hasMessage("catalog.yaml: destination 'shop', field 'id': is used by more than one destination");
    }

    @Test
    void duplicateNamesAreRejectedBecauseIntegrationsReferToNames() {
        assertThatThrownBy(() -> parseYaml("""
                destinations:
                  - {id: one, name: Shop, type: webhook, endpoint: "https://one.example/in"}
                  - {id: two, name: Shop, type: webhook, endpoint: "https://two.example/in"}
                """))
                .isInstanceOf(CatalogException.class)
                .hasMessage("catalog.yaml: destination 'two', field 'name': 'Shop' is used by more than one destination");
    }

    /** Each row: a destination field line replacing or extending a valid one, the field named, the problem. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            endpnt: https://typo.example         | endpnt             | is not a known field
            endpoint: ftp://shop.example/in      | endpoint           | must be an http:// or https:// URL
            endpoint: shop.example/in            | endpoint           | must be an http:// or https:// URL
            endpoint: http:///in                 | endpoint           | has no host
            endpoint: 'http://shop example/in'   | endpoint           | is not a valid URL
            type: kafka                          | type               | 'kafka' is not a destination type
            enabled: 'yes please'                | enabled            | must be true or false
            name: ''                             | name               | must be a non-empty string
            name: 42                             | name               | must be a non-empty string
            headers: [a, b]                      | headers            | must be a mapping of header name to value
            headers: {X-Nested: {a: 1}}          | headers.X-Nested   | must be a string
            headers: {X-Null: null}              | headers.X-Null     | must be a string
            eventTypes: [track, purchase]        | eventTypes         | 'purchase' is not a Segment Spec type
            eventTypes: []                       | eventTypes         | must list at least one event type
            eventTypes: track                    | eventTypes         | must be a list of strings
            sourceIds: [web, '']                 | sourceIds          | must be a list of non-empty strings
            batching: 100                        | batching           | must be a mapping
            batching: {maxEvnts: 10}             | batching.maxEvnts  | is not a known field
            batching: {maxEvents: 0}             | batching.maxEvents | must be between 1 and 10000, got 0
            batching: {maxEvents: 10001}         | batching.maxEvents | must be between 1 and 10000
            batching: {maxEvents: 2.5}           | batching.maxEvents | must be a whole number
            batching: {maxEvents: '10'}          | batching.maxEvents | must be a whole number
            batching: {maxBytes: 12 parsecs}     | batching.maxBytes  | must be a size such as 65536, 512kb or 4mb
            batching: {maxBytes: 1023}           | batching.maxBytes  | must be between 1024 and 67108864 bytes, got 1023 bytes
            batching: {maxBytes: 1gb}            | batching.maxBytes  | must be a size
            batching: {maxBytes: -5}             | batching.maxBytes  | must be between 1024
            batching: {maxWait: soon}            | batching.maxWait   | must be a duration such as 500ms, 10s or 5m
            batching: {maxWait: 2d}              | batching.maxWait   | must be a duration
            batching: {maxWait: 0ms}             | batching.maxWait   | must be between 1 and 3600000 ms, got 0 ms
            batching: {maxWait: 2h}              | batching.maxWait   | must be between 1 and 3600000 ms
            batching: {maxWait: 1.5s}            | batching.maxWait   | must be a duration
            batching: {shards: 129}              | batching.shards    | must be between 1 and 128
            delivery: {timeout: 11m}             | delivery.timeout   | must be between 1 and 600000 ms
            delivery: {maxConcurrency: 0}        | delivery.maxConcurrency | must be between 1 and 1024
            delivery: {retries: 3}               | delivery.retries   | is not a known field
            batching: {mode: fast}               | batching.mode      | must be 'stream' (variable batches between retries) or 'bulk'
            batching: {mode: bulk, maxEvents: 999} | batching.maxEvents | must be at least 1000 in bulk mode, got 999
            delivery: {retry: 4h}                | delivery.retry     | must be a mapping
            delivery: {retry: {windw: 1h}}       | delivery.retry.windw | is not a known field
            delivery: {retry: {window: 8d}}      | delivery.retry.window | must be a duration
            delivery: {retry: {initialWait: 0ms}} | delivery.retry.initialWait | must be between 1 and
            delivery: {retry: {initialWait: 5m, maxWait: 1m}} | delivery.retry.maxWait | must not be shorter than initialWait (300000 ms), got 60000 ms
            delivery: {dedupWindow: forever}     | delivery.dedupWindow | must be a duration
            delivery: {circuitOpen: 0ms}         | delivery.circuitOpen | must be between 1 and 3600000 ms
            """)
    void eachMistakeNamesFileDestinationAndField(String line, String field, String problem) {
        assertThatThrownBy(() -> parseYaml(validDestination() + "    " + line + "\n"))
                .isInstanceOf(CatalogException.class)
                .satisfies(e -> {
                    CatalogException error = (CatalogException) e;
                    assertThat(error.file()).isEqualTo("catalog.yaml");
                    assertThat(error.destination()).isEqualTo("shop");
                    assertThat(error.field()).isEqualTo(field);
                })
                .hasMessageStartingWith("catalog.yaml: destination 'shop', field '" + field + "': ")
                .hasMessageContaining(problem);
    }

    @Test
    void numbersTooLargeForALongAreRejectedAsCatalogErrors() {
        for (String line : new String[] {
            "batching: {maxWait: 99999999999999999999ms}",
            "batching: {maxWait: 9223372036854775807h}",
            "batching: {maxBytes: 99999999999999999999}",
            "batching: {maxEvents: 18446744073709551617}",
            "delivery: {timeout: 18446744073709551617}"
        }) {
            assertThatThrownBy(() -> parseYaml(validDestination() + "    " + line + "\n"))
                    .as(line)
                    .isInstanceOf(CatalogException.class)
                    .hasMessageStartingWith("catalog.yaml: destination 'shop', field '")
                    .hasMessageContaining("is too large");
        }
    }

    @Test
    void requiredDestinationFieldsAreNamed() {
        assertThatThrownBy(() -> parseYaml("destinations:\n  - {type: webhook, endpoint: 'https://a.example'}\n"))
                .hasMessage("catalog.yaml: destination '#1', field 'id': is required");
        assertThatThrownBy(() -> parseYaml("destinations:\n  - {id: shop, endpoint: 'https://a.example'}\n"))
                .hasMessage("catalog.yaml: destination 'shop', field 'type': is required");
        assertThatThrownBy(() -> parseYaml("destinations:\n  - {id: shop, type: webhook}\n"))
                .hasMessage("catalog.yaml: destination 'shop', field 'endpoint': is required");
    }

    @Test
    void idsMustBeLowerCaseAndShort() {
        for (String id : new String[] {"Shop", "-shop", "shop store", "s".repeat(65)}) {
            assertThatThrownBy(() -> parseYaml("destinations:\n  - {id: '" + id
                    + "', type: webhook, endpoint: 'https://a.example'}\n"))
                    .as(id)
                    .isInstanceOf(CatalogException.class)
                    .hasMessageContaining("field 'id': must be lower-case letters");
        }
        assertThat(parseYaml("destinations:\n  - {id: 's.h_o-p9', type: webhook, endpoint: 'https://a.example'}\n")
                .find("s.h_o-p9")).isPresent();
    }

    @Test
    void anUnknownDestinationIdIsAnErrorOnGetAndEmptyOnFind() {
        DestinationCatalog catalog = parseYaml(validDestination());

        assertThat(catalog.find("nope")).isEmpty();
        assertThatThrownBy(() -> catalog.get("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void theLoadedConfigIsImmutable() {
        DestinationConfig shop = parseYaml(validDestination() + "    headers: {X-Team: a}\n").get("shop");

        assertThatThrownBy(() -> shop.headers().put("X-Other", "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> shop.eventTypes().add(EventType.DELETE))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(shop.sourceIds()).isEqualTo(Set.of());
    }

    private BatchingConfig batchingWith(String line) {
        return parseYaml(validDestination() + "    batching: {" + line + "}\n").get("shop").batching();
    }

    private static String validDestination() {
        return """
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: https://shop.example/in
                """;
    }

    private DestinationCatalog parseYaml(String yaml) {
        return loader.parse("catalog.yaml", yaml, false);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
