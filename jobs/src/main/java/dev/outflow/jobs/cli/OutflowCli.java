package dev.outflow.jobs.cli;

import dev.outflow.schemas.catalog.CatalogException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./outflow}: the one entry point for users. Bad input (unknown flags, invalid values, an invalid catalog)
 * exits with code 2 and one clear message; a failure while running exits with 1.
 */
@Command(
        name = "outflow",
        mixinStandardHelpOptions = true,
        versionProvider = OutflowCli.Version.class,
        description = "Segment-compatible event destinations router on Apache Flink.",
        footer = {"", "Benchmarks (started by the ./outflow launcher with their own class path):",
            "  bench      ./outflow bench deliverability|throughput --help"},
        subcommands = {DemoCommand.class, RunCommand.class, ConfigCommand.class, MappingCommand.class, FqlCommand.class,
                ActionsCommand.class, FunctionsCommand.class, CommandLine.HelpCommand.class})
public final class OutflowCli {

    public static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new OutflowCli());
        commandLine.setExecutionExceptionHandler(errorHandler("outflow"));
        return commandLine;
    }

    /**
     * Exit codes for failures while a command runs, with messages prefixed by {@code program}: bad input the user
     * can fix ({@link BadInputException}, an invalid catalog) exits with {@link #BAD_INPUT} and one line, anything
     * else with 1 and no stack trace unless {@code -Doutflow.debug=true}.
     */
    public static CommandLine.IExecutionExceptionHandler errorHandler(String program) {
        return (error, cmd, parseResult) -> {
            if (error instanceof CatalogException || error instanceof BadInputException) {
                cmd.getErr().println(program + ": " + error.getMessage());
                return BAD_INPUT;
            }
            cmd.getErr().println(program + ": " + error.getClass().getSimpleName() + ": " + error.getMessage());
            if (Boolean.getBoolean("outflow.debug")) {
                error.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(run with -Doutflow.debug=true, or see the log file, for the stack trace)");
            }
            return 1;
        };
    }

    /** Input the user can fix: reported without a stack trace, exit code 2. */
    public static final class BadInputException extends RuntimeException {
        public BadInputException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = OutflowCli.class.getPackage().getImplementationVersion();
            return new String[] {"outflow " + (version == null ? "0.1.0-SNAPSHOT" : version)
                    + " (Flink 2.2, Kafka 4.2)"};
        }
    }
}
