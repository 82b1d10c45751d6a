package dev.outflow.jobs.cli;

import dev.outflow.operators.routing.EventRouter;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code outflow config ...}: work with destination catalogs. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check destination catalogs.",
        subcommands = ConfigCommand.Validate.class)
public final class ConfigCommand {

    /** {@code outflow config validate FILE}: exit 0 and a summary when valid, exit 2 and the problem when not. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Validate a destination catalog (YAML or JSON) the way the job does at start-up.")
    static final class Validate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the catalog file")
        Path file;

        @Override
        public Integer call() {
            DestinationCatalog catalog = new CatalogLoader().load(file);
            // compiles every filter condition, trigger and mapping, as the job does when it is built
            new EventRouter(catalog);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: valid, %d destination(s)%n", file, catalog.destinations().size());
            for (DestinationConfig destination : catalog.destinations()) {
                out.printf("  %-20s %-8s %-8s %s%n", destination.id(), destination.type().wireName(),
                        destination.enabled() ? "enabled" : "disabled",
                        destination.isActions() ? destination.subscriptions().size() + " subscription(s)"
                                : destination.function() != null ? destination.function().codeFile()
                                : destination.endpoint());
                out.printf("  %-20s events: %s; batching: %s; headers: %s%n", "",
                        destination.eventTypes().stream().map(t -> t.wireName()).sorted()
                                .collect(Collectors.joining(",")),
                        destination.batching().isSingle() ? "single" : "up to " + destination.batching().maxEvents()
                                + " events / " + destination.batching().maxBytes() + " bytes / "
                                + destination.batching().maxWaitMs() + " ms",
                        destination.maskedHeaders());
            }
            return 0;
        }
    }
}
