package dev.outflow.operators.testutils;

import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;

import java.util.Map;

/** Test catalogs written the way users write them, through the real loader. */
public final class Catalogs {

    /** A secret the catalogs below may reference as {@code ${env:TEST_TOKEN}}. */
    public static final String TEST_TOKEN = "tok-7f3a9c-never-print-me";

    private Catalogs() {}

    public static DestinationCatalog yaml(String yaml) {
        return new CatalogLoader(Map.of("TEST_TOKEN", TEST_TOKEN)::get).parse("test-catalog.yaml", yaml, false);
    }
}
