package dev.outflow.jobs.cli;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, as a new user runs it (in-process, smaller): it starts its own broker, MiniCluster
 * and endpoints, accounts for every event, and ends with a summary whose counts add up and lose nothing.
 */
class DemoCommandITCase {

    private static final Pattern SUMMARY = Pattern.compile(
            "summary: in=(\\d+) delivered=(\\d+) filtered=(\\d+) dead_lettered=(\\d+) lost=(\\d+)");

    @Test
    void theDemoAccountsForEveryEventAndLosesNone() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = OutflowCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        int exit = commandLine.execute("demo", "--events", "1500", "--web-ui-port", "0");

        String[] lines = out.toString().strip().split("\\R");
        String last = lines[lines.length - 1];
        Matcher summary = SUMMARY.matcher(last);
        assertThat(summary.matches()).as("last line is the summary: " + last).isTrue();
        long in = Long.parseLong(summary.group(1));
        long delivered = Long.parseLong(summary.group(2));
        long filtered = Long.parseLong(summary.group(3));
        long deadLettered = Long.parseLong(summary.group(4));
        assertThat(in).isEqualTo(1500);
        assertThat(Long.parseLong(summary.group(5))).as("lost").isZero();
        assertThat(exit).isZero();
        assertThat(delivered).isPositive();
        assertThat(filtered).as("the disabled destination alone filters every valid event").isPositive();
        assertThat(out.toString()).contains("Web UI: http://127.0.0.1:", "accounting:");
        // 3 destinations: every valid event once per destination, every malformed one once
        Matcher accounting = Pattern.compile("accounting: (\\d+) valid events x 3 destinations \\+ (\\d+) malformed")
                .matcher(out.toString());
        assertThat(accounting.find()).isTrue();
        long valid = Long.parseLong(accounting.group(1));
        long malformed = Long.parseLong(accounting.group(2));
        assertThat(valid + malformed).isEqualTo(in);
        assertThat(delivered + filtered + deadLettered).isEqualTo(valid * 3 + malformed);
    }
}
