package dev.outflow.benchmarks;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The per-destination table (terminal and Markdown) and the report folder: report.md and the charts. */
final class DeliverabilityReport {

    private static final String HEADER = String.format(Locale.ROOT,
            "%-16s %-24s %6s %8s %8s %8s %6s %5s %7s %5s %7s %7s %8s %9s", "destination", "role", "sent",
            "requests", "first%", "final%", "dead", "lost", "pending", "dups", "p50_ms", "p99_ms", "ra_viol", "events/s");

    private DeliverabilityReport() {}

    static void printTable(ScenarioResult result, PrintWriter out) {
        out.println(HEADER);
        for (DestinationFigures d : result.destinations()) {
            out.println(String.format(Locale.ROOT,
                    "%-16s %-24s %6d %8d %8.2f %8.2f %6d %5d %7d %5d %7d %7d %8d %9.0f", d.id(), d.role(), d.sent(),
                    d.requests(), d.firstAttemptPercent(), d.finalPercent(), d.deadLettered(), d.lost(), d.pending(),
                    d.duplicates(), d.p50LatencyMs(), d.p99LatencyMs(), d.retryAfterViolations(), d.eventsPerSecond()));
        }
        notes(result).forEach(note -> out.println("  note: " + note));
        out.flush();
    }

    /** What a reader must know to trust the table: cut runs, settings the job ignored, unconfirmed deliveries. */
    static List<String> notes(ScenarioResult result) {
        List<String> notes = new java.util.ArrayList<>();
        if (!result.completed()) {
            notes.add("the run hit its time bound (compressed retry window + " + ScenarioRun.SLACK.toSeconds()
                    + " s) before the job settled every event: those are 'pending'");
        }
        if (!result.retrySettingsApplied()) {
            notes.add("this job does not know delivery.retry.* yet: the catalog ran without them (job defaults)");
        }
        for (DestinationFigures d : result.destinations()) {
            if (d.unconfirmed() > 0) {
                notes.add(d.id() + ": the job logged " + d.unconfirmed()
                        + " events as delivered that the endpoint never accepted (counted as lost)");
            }
            if (d.pending() > 0 && result.completed()) {
                notes.add(d.id() + ": " + d.pending() + " events have no outcome in the job's outputs");
            }
        }
        return notes;
    }

    static Path write(Path dir, List<String> command, List<ScenarioResult> results, DeliverabilitySummary summary,
            ScenarioRun.Settings settings) throws IOException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder();
        md.append("# Deliverability benchmark\n\n")
                .append("- command: `").append(String.join(" ", command)).append("`\n")
                .append("- finished: ").append(Instant.now()).append('\n')
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, load average ")
                .append(String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage())).append(" at the end (shared machines skew throughput)\n")
                .append("- events per scenario: ").append(settings.events()).append(" (blackhole: at least ")
                .append(Profile.MIN_ISOLATION_EVENTS).append(")").append(", time scale: ")
                .append(settings.scale().factor()).append(" (retry window ")
                .append(settings.scale().ms(BenchCatalog.RETRY_WINDOW)).append(" ms), seed ")
                .append(settings.seed()).append("\n\n")
                .append("```\n").append(summary.line()).append("\n```\n\n")
                .append("Columns: `first%` events accepted the first time they reached the endpoint; `final%` events ")
                .append("the endpoint accepted in the end; `dead` dead-lettered by the job; `lost` neither accepted ")
                .append("nor dead-lettered although the job had settled them; `pending` not settled by the job when the ")
                .append("run hit its time bound; `dups` accepted again after a first acceptance; `p50_ms`/`p99_ms` ")
                .append("delivery latency (routing to delivered) from the delivery log; `ra_viol` requests that ")
                .append("arrived while a Retry-After the endpoint had sent was pending (after a ")
                .append(dev.outflow.jobs.local.LocalHttpEndpoint.RETRY_AFTER_GRACE_MS)
                .append(" ms grace for requests already on the wire); `events/s` accepted events per second from ")
                .append("the scenario's first request to the destination's last acceptance.\n");
        for (ScenarioResult result : results) {
            md.append("\n## ").append(result.name()).append("\n\n").append(result.description()).append(". ")
                    .append(String.format(Locale.ROOT, "Run time %.1f s.%n%n", result.durationMs() / 1e3))
                    .append("| destination | role | sent | requests | first% | final% | dead | lost | pending | dups ")
                    .append("| p50 ms | p99 ms | ra_viol | events/s |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (DestinationFigures d : result.destinations()) {
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %d | %d | %.2f | %.2f | %d | %d | %d | %d | %d | %d | %d | %.0f |%n", d.id(),
                        d.role(), d.sent(), d.requests(), d.firstAttemptPercent(), d.finalPercent(), d.deadLettered(),
                        d.lost(), d.pending(), d.duplicates(), d.p50LatencyMs(), d.p99LatencyMs(), d.retryAfterViolations(),
                        d.eventsPerSecond()));
            }
            for (String note : notes(result)) {
                md.append("\n- ").append(note);
            }
            Path deliverability = Charts.deliverability(result, dir);
            Path throughput = Charts.throughput(result, dir);
            md.append("\n\n![deliverability](").append(deliverability.getFileName()).append(")\n")
                    .append("![throughput](").append(throughput.getFileName()).append(")\n");
        }
        Path report = dir.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }
}
