package dev.outflow.operators.routing;

import dev.outflow.schemas.catalog.DataCategory.PiiKind;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PiiHashingTest {

    /** SHA-256 of "jane.doe@example.com", computed with sha256sum. */
    private static final String JANE_SHA256 = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'  Jane.Doe@Example.COM '|jane.doe@example.com",
            "jane.doe@example.com|jane.doe@example.com",
            "'\tJOHN@EXAMPLE.org\n'|john@example.org"})
    void emailsAreTrimmedAndLowerCased(String raw, String normalized) {
        assertThat(PiiHashing.normalize(raw, PiiKind.EMAIL)).isEqualTo(normalized);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "+1 (415) 555-0100|+14155550100",
            "' +44 20 7946 0958 '|+442079460958",
            "0049 30 901820|+4930901820",
            "14155550100|+14155550100",
            "+33.1.23.45.67.89|+33123456789"})
    void phonesBecomeE164(String raw, String normalized) {
        assertThat(PiiHashing.normalize(raw, PiiKind.PHONE)).isEqualTo(normalized);
    }

    @Test
    void theHashIsTheSha256HexOfTheNormalizedValue() {
        assertThat(PiiHashing.hash("  Jane.Doe@Example.COM ", PiiKind.EMAIL)).isEqualTo(JANE_SHA256);
        assertThat(PiiHashing.hash("+1 (415) 555-0100", PiiKind.PHONE))
                .isEqualTo(PiiHashing.hash("14155550100", PiiKind.PHONE));
        // a well-known test vector: SHA-256("abc")
        assertThat(PiiHashing.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aDigestPassesThroughUnchangedNeverHashedTwice() {
        String digest = PiiHashing.hash("jane.doe@example.com", PiiKind.EMAIL);
        assertThat(PiiHashing.hash(digest, PiiKind.EMAIL)).isEqualTo(digest);
        assertThat(PiiHashing.hash(digest.toUpperCase(), PiiKind.EMAIL)).isEqualTo(digest.toUpperCase());
        assertThat(PiiHashing.hash(JANE_SHA256, PiiKind.PHONE)).isEqualTo(JANE_SHA256);
        // 63 or 65 hex digits, or a non-hex letter, are not digests: they are hashed
        assertThat(PiiHashing.hash(digest.substring(1), PiiKind.OTHER)).isNotEqualTo(digest.substring(1));
        assertThat(PiiHashing.hash(digest + "0", PiiKind.OTHER)).hasSize(64).isNotEqualTo(digest + "0");
        assertThat(PiiHashing.hash("g" + digest.substring(1), PiiKind.OTHER)).isNotEqualTo("g" + digest.substring(1));
    }
}
