package dev.outflow.benchmarks;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./outflow bench throughput} end to end on a small scale: both jobs run twice, in turn, over the warm-up
 * and the measured events on a real broker, every event reaches all three endpoints, and the closing line carries
 * measured figures.
 */
class ThroughputCommandITCase {

    private static final Pattern CLOSING_LINE = Pattern.compile("throughput: events_per_s=(\\d+) "
            + "passthrough_events_per_s=(\\d+) ratio=(\\d+\\.\\d+) cpu_us_per_event=(\\d+\\.\\d+)");

    @Test
    void bothJobsAreMeasuredOverTheEventsAfterTheWarmUp() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BenchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("throughput", "--events", "3000", "--warmup", "1000");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .containsPattern("passthrough +\\d+ events")
                .containsPattern("outflow job +\\d+ events .* delivery latency p50 \\d+ ms, p99 \\d+ ms")
                .contains("measuring from output")
                .contains("round 1 of 2: ratio", "round 2 of 2: ratio", "all 2 rounds: outflow job")
                .contains("cpu by thread")
                .containsPattern("machine \\d+% busy, \\d+% stolen by the hypervisor; kafka broker \\d+\\.\\d "
                        + "cpu_us/event")
                .doesNotContain("were not delivered");
        Matcher closing = CLOSING_LINE.matcher(out.toString());
        assertThat(closing.find()).as(out.toString()).isTrue();
        assertThat(Long.parseLong(closing.group(1))).isPositive();
        assertThat(Long.parseLong(closing.group(2))).isPositive();
        assertThat(Double.parseDouble(closing.group(4))).isPositive();
    }
}
