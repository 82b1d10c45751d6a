package dev.outflow.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The parser as the job meets it: Segment's leniency on valid events, a stable reason for every rejection. */
class SegmentEventParserTest {

    private static final long KAFKA_TIMESTAMP = 1_700_000_000_000L;

    private final SegmentEventParser parser = new SegmentEventParser();

    @Test
    void acceptsATrackEvent() {
        SegmentEvent event = parseOne("""
                {"type":"track","userId":"u1","event":"Order Completed","messageId":"m1",
                 "properties":{"revenue":9.5},"timestamp":"2024-05-01T10:00:00.123Z"}""");

        assertThat(event.type()).isEqualTo(EventType.TRACK);
        assertThat(event.userId()).isEqualTo("u1");
        assertThat(event.anonymousId()).isNull();
        assertThat(event.messageId()).isEqualTo("m1");
        assertThat(event.json().path("properties").path("revenue").asDouble()).isEqualTo(9.5);
    }

    @Test
    void acceptsAnIdentifyWithOnlyAnAnonymousId() {
        SegmentEvent event = parseOne("""
                {"type":"identify","anonymousId":"a1","traits":{"email":"a@example.com"}}""");

        assertThat(event.type()).isEqualTo(EventType.IDENTIFY);
        assertThat(event.userId()).isNull();
        assertThat(event.anonymousId()).isEqualTo("a1");
    }

    @Test
    void acceptsAPageWithNameAndCategory() {
        SegmentEvent event = parseOne("""
                {"type":"page","userId":"u1","name":"Pricing","category":"Docs"}""");

        assertThat(event.type()).isEqualTo(EventType.PAGE);
    }

    @Test
    void acceptsAScreen() {
        assertThat(parseOne("{\"type\":\"screen\",\"anonymousId\":\"a1\",\"name\":\"Home\"}").type())
                .isEqualTo(EventType.SCREEN);
    }

    @Test
    void acceptsAGroup() {
        SegmentEvent event = parseOne("{\"type\":\"group\",\"userId\":\"u1\",\"groupId\":\"g1\"}");

        assertThat(event.type()).isEqualTo(EventType.GROUP);
        assertThat(event.json().path("groupId").asText()).isEqualTo("g1");
    }

    @Test
    void acceptsAnAlias() {
        assertThat(parseOne("{\"type\":\"alias\",\"userId\":\"u1\",\"previousId\":\"a1\"}").type())
                .isEqualTo(EventType.ALIAS);
    }

    @Test
    void acceptsADelete() {
        assertThat(parseOne("{\"type\":\"delete\",\"userId\":\"u1\"}").type()).isEqualTo(EventType.DELETE);
    }

    @Test
    void typeIsCaseInsensitiveAndNormalizedToLowerCase() {
        SegmentEvent event = parseOne("{\"type\":\"Track\",\"userId\":\"u1\",\"event\":\"E\"}");

        assertThat(event.type()).isEqualTo(EventType.TRACK);
        assertThat(event.json().path("type").asText()).isEqualTo("track");
    }

    @Test
    void numericIdsAreAcceptedAndNormalizedToStrings() {
        SegmentEvent event = parseOne("""
                {"type":"group","userId":12345,"groupId":7,"messageId":99}""");

        assertThat(event.userId()).isEqualTo("12345");
        assertThat(event.messageId()).isEqualTo("99");
        assertThat(event.json().path("userId").isTextual()).isTrue();
        assertThat(event.json().path("groupId").asText()).isEqualTo("7");
    }

    @Test
    void aMissingMessageIdIsDerivedFromTheContentSoReplaysGetTheSameId() {
        String json = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}";

        SegmentEvent first = parseOne(json);
        SegmentEvent replay = parseOne(json);
        SegmentEvent other = parseOne("{\"type\":\"track\",\"userId\":\"u2\",\"event\":\"E\"}");

        assertThat(first.messageId()).startsWith("outflow-").isEqualTo(replay.messageId());
        assertThat(first.messageId()).isNotEqualTo(other.messageId());
        assertThat(first.json().path("messageId").asText()).isEqualTo(first.messageId());
    }

    @Test
    void aMissingReceivedAtIsTakenFromTheKafkaTimestamp() {
        SegmentEvent event = parseOne("{\"type\":\"page\",\"userId\":\"u1\"}");

        assertThat(event.json().path("receivedAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
    }

    @Test
    void eachRecordGetsTheReceivedAtOfItsOwnTimestamp() {
        byte[] input = bytes("{\"type\":\"page\",\"userId\":\"u1\",\"messageId\":\"m1\"}");
        long[] timestamps = {KAFKA_TIMESTAMP, KAFKA_TIMESTAMP, KAFKA_TIMESTAMP + 1, KAFKA_TIMESTAMP};
        String[] expected = {"2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.001Z",
            "2023-11-14T22:13:20Z"};

        for (int i = 0; i < timestamps.length; i++) {
            SegmentEvent event = parser.parse(new RawEvent("in", 0, i, timestamps[i], null, input)).events().get(0);
            assertThat(event.json().path("receivedAt").asText()).isEqualTo(expected[i]);
            assertThat(new String(event.toBytes(), StandardCharsets.UTF_8))
                    .startsWith("{\"receivedAt\":\"" + expected[i] + "\",");
        }
    }

    @Test
    void anEventsOwnReceivedAtIsKept() {
        SegmentEvent event = parseOne("{\"type\":\"page\",\"userId\":\"u1\",\"receivedAt\":\"2024-01-01T00:00:00Z\"}");

        assertThat(event.json().path("receivedAt").asText()).isEqualTo("2024-01-01T00:00:00Z");
    }

    @Test
    void anEventTheParserLeftAloneGoesOutAsItCameWithReceivedAtAddedFirst() {
        String input = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"m1\","
                + "\"properties\":{\"price\":1.50,\"name\":\"caf\\u00e9\"}}";

        SegmentEvent event = parseOne(input);

        assertThat(new String(event.toBytes(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"receivedAt\":\"2023-11-14T22:13:20Z\"," + input.substring(1));
        assertThat(Json.readTree(event.toBytes())).as("the same event as the parsed JSON").isEqualTo(event.json());
    }

    @Test
    void anEventWithItsOwnReceivedAtGoesOutByteForByte() {
        byte[] input = bytes("{\"type\":\"page\",\"userId\":\"u1\",\"messageId\":\"m1\","
                + "\"receivedAt\":\"2024-01-01T00:00:00Z\"}");

        SegmentEvent event = parser.parse(new RawEvent("in", 0, 0, KAFKA_TIMESTAMP, null, input)).events().get(0);

        assertThat(event.toBytes()).isEqualTo(input);
    }

    @Test
    void anEventTheParserRewroteGoesOutRewritten() {
        for (String input : List.of(
                "{\"type\":\"Track\",\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"m1\"}",
                "{\"type\":\"track\",\"userId\":42,\"event\":\"E\",\"messageId\":\"m1\"}",
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}",
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"m1\",\"receivedAt\":null}",
                " {\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"messageId\":\"m1\"}\n")) {
            SegmentEvent event = parseOne(input);

            assertThat(event.toBytes()).as(input).isEqualTo(Json.toBytes(event.json()));
        }
    }

    @Test
    void batchItemsGoOutAsWrittenFromTheirJson() {
        SegmentEvent item = parser.parse(raw("{\"batch\":[{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\","
                + "\"messageId\":\"m1\"}],\"context\":{\"ip\":\"1.2.3.4\"}}")).events().get(0);

        assertThat(item.toBytes()).isEqualTo(Json.toBytes(item.json()));
        assertThat(item.json().path("context").path("ip").asText()).isEqualTo("1.2.3.4");
    }

    @Test
    void aFieldNamedTwiceIsRejectedNamingTheField() {
        InvalidEvent invalid = parser.parse(raw("{\"type\":\"track\",\"userId\":\"u1\",\"userId\":\"u2\","
                + "\"event\":\"E\"}")).invalid().get(0);

        assertThat(invalid.describe()).isEqualTo(
                "not_json: duplicate field 'userId': a JSON object may name each field once");
    }

    @Test
    void theSourceIdHeaderWinsOverTheEventsOwnSourceId() {
        RawEvent raw = new RawEvent("in", 0, 1, KAFKA_TIMESTAMP, "header-source",
                bytes("{\"type\":\"page\",\"userId\":\"u1\",\"sourceId\":\"own-source\"}"));

        assertThat(parser.parse(raw).events()).singleElement()
                .extracting(SegmentEvent::sourceId).isEqualTo("header-source");
    }

    @Test
    void theEventsOwnSourceIdIsUsedWithoutAHeader() {
        assertThat(parseOne("{\"type\":\"page\",\"userId\":\"u1\",\"sourceId\":\"own-source\"}").sourceId())
                .isEqualTo("own-source");
        assertThat(parseOne("{\"type\":\"page\",\"userId\":\"u1\"}").sourceId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.123456Z",
        "2024-05-01T10:00:00+02:00",
        "2024-05-01T10:00:00+0200",
        "2024-05-01T10:00:00+02",
        "2024-05-01T10:00:00",
        "2024-05-01 10:00:00",
        "2024-05-01",
        " 2024-05-01T10:00:00Z "
    })
    void acceptsTheIsoTimestampVariantsSegmentLibrariesSend(String timestamp) {
        SegmentEvent event = parseOne("{\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"" + timestamp
                + "\",\"sentAt\":\"" + timestamp + "\"}");

        assertThat(event.json().path("timestamp").asText()).isEqualTo(timestamp);
    }

    @Test
    void nullOptionalFieldsAreTolerated() {
        SegmentEvent event = parseOne("""
                {"type":"track","userId":"u1","anonymousId":null,"event":"E","properties":null,
                 "context":null,"timestamp":null,"name":null}""");

        assertThat(event.type()).isEqualTo(EventType.TRACK);
    }

    @Test
    void anEventOfExactly32KbIsAccepted() {
        String prefix = "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"properties\":{\"p\":\"";
        String suffix = "\"}}";
        String json = prefix + "a".repeat(SegmentEventParser.MAX_EVENT_BYTES - prefix.length() - suffix.length())
                + suffix;

        SegmentEvent event = parseOne(json);

        assertThat(event.serializedSize()).isEqualTo(SegmentEventParser.MAX_EVENT_BYTES);
        assertThat(parser.parse(raw(json + " ")).invalid()).singleElement()
                .extracting(InvalidEvent::reason).isEqualTo(InvalidReason.TOO_LARGE);
    }

    @Test
    void aBatchEnvelopeYieldsOneEventPerItemWithSharedContextIntegrationsAndSentAt() {
        ParseResult result = parser.parse(raw("""
                {"batch":[
                   {"type":"track","userId":"u1","event":"E1","messageId":"m1"},
                   {"type":"identify","userId":"u2","messageId":"m2","context":{"ip":"own"},
                    "integrations":{"All":false},"sentAt":"2024-02-02T00:00:00Z"}
                 ],
                 "context":{"ip":"shared"},"integrations":{"CRM":false},"sentAt":"2024-01-01T00:00:00Z"}"""));

        assertThat(result.invalid()).isEmpty();
        assertThat(result.events()).extracting(SegmentEvent::messageId).containsExactly("m1", "m2");
        JsonNode first = result.events().get(0).json();
        JsonNode second = result.events().get(1).json();
        assertThat(first.path("context").path("ip").asText()).isEqualTo("shared");
        assertThat(first.path("integrations").path("CRM").asBoolean(true)).isFalse();
        assertThat(first.path("sentAt").asText()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(second.path("context").path("ip").asText()).isEqualTo("own");
        assertThat(second.path("integrations").has("CRM")).isFalse();
        assertThat(second.path("sentAt").asText()).isEqualTo("2024-02-02T00:00:00Z");
    }

    @Test
    void anExplicitBatchTypeIsAnEnvelopeToo() {
        ParseResult result = parser.parse(raw("""
                {"type":"batch","batch":[{"type":"page","userId":"u1"}]}"""));

        assertThat(result.events()).singleElement().extracting(SegmentEvent::type).isEqualTo(EventType.PAGE);
    }

    @Test
    void sharedEnvelopeContextIsCopiedNotAliasedBetweenItems() {
        ParseResult result = parser.parse(raw("""
                {"batch":[{"type":"page","userId":"u1"},{"type":"page","userId":"u2"}],"context":{"ip":"shared"}}"""));

        assertThat(result.events().get(0).json().get("context"))
                .isNotSameAs(result.events().get(1).json().get("context"));
    }

    @Test
    void invalidBatchItemsAreRejectedOneByOneWithTheirIndexAndOwnBytes() {
        ParseResult result = parser.parse(raw("""
                {"batch":[
                   {"type":"track","userId":"u1","event":"E"},
                   {"type":"track","event":"E"},
                   "oops",
                   {"type":"page","anonymousId":"a1"}
                 ]}"""));

        assertThat(result.events()).extracting(SegmentEvent::type).containsExactly(EventType.TRACK, EventType.PAGE);
        assertThat(result.invalid()).extracting(InvalidEvent::batchIndex, InvalidEvent::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, InvalidReason.MISSING_IDENTITY),
                org.assertj.core.groups.Tuple.tuple(2, InvalidReason.NOT_AN_OBJECT));
        assertThat(new String(result.invalid().get(0).bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"track\",\"event\":\"E\"}");
        assertThat(new String(result.invalid().get(1).bytes(), StandardCharsets.UTF_8)).isEqualTo("\"oops\"");
    }

    @Test
    void anEmptyBatchYieldsNothingAndRejectsNothing() {
        ParseResult result = parser.parse(raw("{\"batch\":[]}"));

        assertThat(result.events()).isEmpty();
        assertThat(result.invalid()).isEmpty();
    }

    @Test
    void aSingleRejectionKeepsTheRecordBytesAndNoBatchIndex() {
        byte[] input = bytes("{\"type\":\"track\",\"event\":\"E\"}");

        InvalidEvent invalid = parser.parse(new RawEvent("in", 3, 42, KAFKA_TIMESTAMP, null, input))
                .invalid().get(0);

        assertThat(invalid.bytes()).isEqualTo(input);
        assertThat(invalid.batchIndex()).isEqualTo(-1);
        assertThat(invalid.describe()).isEqualTo("missing_identity: track requires a userId or an anonymousId");
    }

    @Test
    void aNullRecordValueIsTreatedAsEmpty() {
        ParseResult result = parser.parse(new RawEvent("in", 0, 0, KAFKA_TIMESTAMP, null, null));

        assertThat(result.invalid()).singleElement().extracting(InvalidEvent::reason).isEqualTo(InvalidReason.EMPTY);
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @MethodSource("malformedCorpus")
    void everyMalformedInputIsRejectedWithItsReasonAndNeverThrows(InvalidReason expected, String why, byte[] input) {
        ParseResult[] result = new ParseResult[1];
        assertThatCode(() -> result[0] = parser.parse(new RawEvent("in", 0, 7, KAFKA_TIMESTAMP, null, input)))
                .doesNotThrowAnyException();

        assertThat(result[0].events()).as(why).isEmpty();
        assertThat(result[0].invalid()).as(why).singleElement().satisfies(invalid -> {
            assertThat(invalid.reason()).as(why + " (%s)", invalid.detail()).isEqualTo(expected);
            assertThat(invalid.detail()).isNotBlank();
            assertThat(invalid.bytes()).isNotNull();
        });
    }

    @Test
    void theCorpusCoversEveryReasonAnEventCanHave() {
        // bad_suppression (records of the suppression topic) is no InvalidReason: they never reach the parser
        assertThat(malformedCorpus().map(arguments -> (InvalidReason) arguments.get()[0]).distinct())
                .containsExactlyInAnyOrder(InvalidReason.values());
    }

    /** Lines of {@code malformed-events.txt}: {@code REASON | why | raw input}. */
    static java.util.stream.Stream<Arguments> malformedCorpus() {
        List<Arguments> cases = new ArrayList<>();
        for (String line : readResource("/malformed-events.txt").split("\n", -1)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" \\|(?: |$)", 3);
            String input = parts.length == 3 ? parts[2] : "";
            cases.add(Arguments.of(InvalidReason.valueOf(parts[0].trim()), parts[1].trim(), decode(input)));
        }
        return cases.stream();
    }

    private static final Pattern REPEAT = Pattern.compile("<<REPEAT:(\\d+):(.+?)>>");
    private static final Pattern BYTE = Pattern.compile("\\\\x([0-9a-fA-F]{2})");

    private static byte[] decode(String input) {
        Matcher repeat = REPEAT.matcher(input);
        StringBuilder expanded = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(expanded,
                    Matcher.quoteReplacement(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(expanded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher escaped = BYTE.matcher(expanded);
        int from = 0;
        while (escaped.find()) {
            out.writeBytes(expanded.substring(from, escaped.start()).getBytes(StandardCharsets.UTF_8));
            out.write(Integer.parseInt(escaped.group(1), 16));
            from = escaped.end();
        }
        out.writeBytes(expanded.substring(from).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String readResource(String name) {
        try (InputStream in = SegmentEventParserTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private SegmentEvent parseOne(String json) {
        ParseResult result = parser.parse(raw(json));
        assertThat(result.invalid()).as("rejections of %s", json).isEmpty();
        assertThat(result.events()).hasSize(1);
        return result.events().get(0);
    }

    private static RawEvent raw(String json) {
        return new RawEvent("in", 0, 0, KAFKA_TIMESTAMP, null, bytes(json));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
