package dev.outflow.benchmarks;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./outflow bench} as a user meets it: help, and exit code 2 with one clear message for bad input. */
class BenchCliTest {

    @Test
    void helpListsBothBenchmarks() {
        Result result = run("--help");
        assertThat(result.exit).isZero();
        assertThat(result.out).contains("deliverability", "throughput");
    }

    @Test
    void deliverabilityHelpNamesEveryProfile() {
        Result result = run("deliverability", "--help");
        assertThat(result.exit).isZero();
        assertThat(result.out).contains("segment", "throttle", "outage", "blackhole", "slow", "partial",
                "--time-scale", "--out");
    }

    @Test
    void anUnknownProfileExitsWithTwoAndListsTheKnownOnes() {
        Result result = run("deliverability", "--profile", "nope");
        assertThat(result.exit).isEqualTo(2);
        assertThat(result.err).contains("unknown profile 'nope'", "segment, throttle, outage, blackhole, slow, partial");
    }

    @Test
    void impossibleNumbersExitWithTwoBeforeAnythingStarts() {
        assertThat(run("deliverability", "--events", "0").err).contains("--events must be at least 1");
        assertThat(run("deliverability", "--events", "0").exit).isEqualTo(2);
        assertThat(run("deliverability", "--time-scale", "0.5").exit).isEqualTo(2);
        assertThat(run("throughput", "--events", "-3").exit).isEqualTo(2);
        assertThat(run("throughput", "--bogus").exit).isEqualTo(2);
        Result noRounds = run("throughput", "--rounds", "0");
        assertThat(noRounds.exit).isEqualTo(2);
        assertThat(noRounds.err).contains("--rounds must be at least 1, got 0");
        assertThat(run("throughput", "--dedup-window", "a day").exit).isEqualTo(2);
        assertThat(run("throughput", "--dedup-window", "1000h").err).contains("--dedup-window must be at most 30 days");
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {}
}
