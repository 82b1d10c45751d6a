package dev.outflow.jobs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user meets it: help, exit codes, and one clear message for bad input. */
class OutflowCliTest {

    @TempDir
    Path dir;

    @Test
    void helpListsEverySubcommand() {
        Result result = run("--help");
        assertThat(result.exit).isZero();
        assertThat(result.out).contains("demo", "run", "config");
    }

    @Test
    void validatingTheExampleCatalogSucceedsAndShowsDestinations() {
        Result result = run("config", "validate", exampleCatalog().toString());
        assertThat(result.exit).isZero();
        assertThat(result.out).contains("valid, 2 destination(s)", "warehouse", "crm", "up to 100 events");
    }

    @Test
    void anInvalidCatalogExitsWithTwoNamingFileDestinationAndField() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: http://127.0.0.1:1/in
                    batching: {maxEvnts: 10}
                """);
        Result result = run("config", "validate", file.toString());
        assertThat(result.exit).isEqualTo(2);
        assertThat(result.err).contains(file.toString(), "destination 'shop'", "field 'batching.maxEvnts'",
                "not a known field");
        assertThat(result.err).doesNotContain("Exception", "\tat ");
    }

    @Test
    void aMissingSecretIsReportedWithoutAnyValue() throws IOException {
        Path file = dir.resolve("secret.yaml");
        Files.writeString(file, """
                destinations:
                  - id: shop
                    type: webhook
                    endpoint: http://127.0.0.1:1/in
                    headers: {Authorization: "Bearer ${env:OUTFLOW_TEST_SURELY_UNSET_TOKEN}"}
                """);
        Result result = run("config", "validate", file.toString());
        assertThat(result.exit).isEqualTo(2);
        assertThat(result.err).contains("field 'headers.Authorization'", "OUTFLOW_TEST_SURELY_UNSET_TOKEN",
                "not set");
    }

    @Test
    void aMissingFileIsBadInput() {
        Result result = run("config", "validate", dir.resolve("nope.yaml").toString());
        assertThat(result.exit).isEqualTo(2);
        assertThat(result.err).contains("nope.yaml", "file not found");
    }

    @Test
    void unknownSubcommandsAndOptionsAreBadInput() {
        assertThat(run("deploy").exit).isEqualTo(2);
        assertThat(run("demo", "--evnts", "5").exit).isEqualTo(2);
        assertThat(run("run", "--bootstrap-servers", "127.0.0.1:9092").err).contains("--config");
        assertThat(run("run", "--bootstrap-servers", "127.0.0.1:9092").exit).isEqualTo(2);
    }

    @Test
    void impossibleValuesAreBadInput() {
        Result events = run("demo", "--events", "0");
        assertThat(events.exit).isEqualTo(2);
        assertThat(events.err).contains("--events must be at least 1");
        Result offsets = run("run", "--config", exampleCatalog().toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--starting-offsets", "yesterday");
        assertThat(offsets.exit).isEqualTo(2);
        assertThat(offsets.err).contains("--starting-offsets", "yesterday");
        Result interval = run("run", "--config", exampleCatalog().toString(), "--bootstrap-servers", "127.0.0.1:1",
                "--checkpoint-interval", "often");
        assertThat(interval.exit).isEqualTo(2);
        assertThat(interval.err).contains("not a duration");
    }

    private static Path exampleCatalog() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docker/conf/destinations.yaml");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docker/conf/destinations.yaml not found above " + Path.of("").toAbsolutePath());
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = OutflowCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    record Result(int exit, String out, String err) {}
}
