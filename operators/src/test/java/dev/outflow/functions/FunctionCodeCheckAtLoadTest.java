package dev.outflow.functions;

import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.CatalogLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With the operators on the class path, the catalog loader finds the GraalJS checker and stops at a syntax error. */
class FunctionCodeCheckAtLoadTest {

    @Test
    void aSyntaxErrorFailsTheCatalogWithItsLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.js"), "async function onTrack(event) {\n  return event.;\n}\n");
        Path file = dir.resolve("destinations.yaml");
        Files.writeString(file, "destinations:\n  - id: fn\n    type: function\n    code: broken.js\n");

        assertThatThrownBy(() -> new CatalogLoader(Map.<String, String>of()::get).load(file))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith(file + ": destination 'fn', field 'code': " + dir.resolve("broken.js")
                        + ": JavaScript syntax error at line 2");
    }
}
