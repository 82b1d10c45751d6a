package dev.outflow.benchmarks;

import dev.outflow.jobs.cli.OutflowCli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./outflow bench}: the deliverability and throughput benchmarks. Bad input exits with 2 and one message;
 * a failure while running exits with 1 (the same handling as {@code ./outflow}). A benchmark measures and
 * prints; it does not judge its figures.
 */
@Command(name = "outflow bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the real job with a real Kafka broker and local HTTP endpoints.",
        subcommands = {DeliverabilityCommand.class, ThroughputCommand.class, CommandLine.HelpCommand.class})
public final class BenchCli {

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BenchCli());
        commandLine.setExecutionExceptionHandler(OutflowCli.errorHandler("outflow bench"));
        return commandLine;
    }
}
