package dev.outflow.benchmarks;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./outflow bench}: the deliverability and throughput benchmarks. Bad input exits with 2 and one message;
 * a failure while running exits with 1. A benchmark measures and prints; it does not judge its figures.
 */
@Command(name = "outflow bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the real job with a real Kafka broker and local HTTP endpoints.",
        subcommands = {DeliverabilityCommand.class, ThroughputCommand.class, CommandLine.HelpCommand.class})
public final class BenchCli {

    public static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new BenchCli());
        commandLine.setExecutionExceptionHandler((error, cmd, parseResult) -> {
            if (error instanceof BadInputException) {
                cmd.getErr().println("outflow bench: " + error.getMessage());
                return BAD_INPUT;
            }
            cmd.getErr().println("outflow bench: " + error.getClass().getSimpleName() + ": " + error.getMessage());
            if (Boolean.getBoolean("outflow.debug")) {
                error.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(run with -Doutflow.debug=true, or see the log file, for the stack trace)");
            }
            return 1;
        });
        return commandLine;
    }

    /** Input the user can fix: reported without a stack trace, exit code 2. */
    static final class BadInputException extends RuntimeException {
        BadInputException(String message) {
            super(message);
        }
    }
}
