package dev.outflow.jobs.cli;

import dev.outflow.jobs.cli.OutflowCli.BadInputException;
import dev.outflow.rules.fql.FqlParseException;
import dev.outflow.rules.fql.Subscription;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code outflow fql ...}: try FQL subscriptions and filter conditions on sample events. */
@Command(name = "fql", mixinStandardHelpOptions = true, description = "Try FQL subscriptions and filter conditions.",
        subcommands = FqlCommand.Eval.class)
public final class FqlCommand {

    /** Prints true or false; a subscription that does not parse exits with 2 and the parse error. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Print whether an event (JSON) matches an FQL subscription: true or false. A subscription"
                    + " that does not parse is reported with its position (exit code 2).")
    static final class Eval implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--subscription", required = true, paramLabel = "FQL",
                description = "e.g. 'type = \"track\" and event = \"Order Completed\"'")
        String subscription;

        @Option(names = "--event", required = true, paramLabel = "FILE", description = "the event, as JSON")
        Path eventFile;

        @Override
        public Integer call() {
            Subscription parsed;
            try {
                parsed = Subscription.parse(subscription);
            } catch (FqlParseException e) {
                throw new BadInputException("invalid subscription: " + e.getMessage());
            }
            spec.commandLine().getOut().println(parsed.matches(JsonInput.tree(eventFile, "event")));
            return 0;
        }
    }
}
