package dev.outflow.jobs.cli;

import dev.outflow.jobs.cli.OutflowCli.BadInputException;
import dev.outflow.operators.delivery.ActionUrl;
import dev.outflow.operators.delivery.DeliveryRequests;
import dev.outflow.operators.routing.EventRouter;
import dev.outflow.operators.routing.RouteDecision;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.event.ParseResult;
import dev.outflow.schemas.event.RawEvent;
import dev.outflow.schemas.event.SegmentEvent;
import dev.outflow.schemas.event.SegmentEventParser;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code outflow actions ...}: see what an Actions destination would do with an event. */
@Command(name = "actions", mixinStandardHelpOptions = true, description = "Try Actions destinations.",
        subcommands = ActionsCommand.Test.class)
public final class ActionsCommand {

    /** Runs the job's own routing for one destination and prints each subscription's request; sends nothing. */
    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Show which subscriptions of a destination an event fires, with the exact requests they"
                    + " would send (secrets masked), or the rule that kept it away. Nothing is sent.")
    static final class Test implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the destination catalog")
        Path config;

        @Option(names = "--destination", required = true, paramLabel = "ID", description = "the destination id")
        String destinationId;

        @Option(names = "--event", required = true, paramLabel = "FILE", description = "a Segment event, as JSON")
        Path eventFile;

        @Override
        public Integer call() {
            DestinationCatalog catalog = new CatalogLoader().load(config);
            EventRouter router = new EventRouter(catalog);
            DestinationConfig destination = catalog.find(destinationId).filter(d -> catalog.destinations()
                    .contains(d)).orElseThrow(() -> new BadInputException(config + ": no destination '"
                            + destinationId + "' (known: " + catalog.destinations().stream()
                                    .map(DestinationConfig::id).toList() + ")"));
            SegmentEvent event = parse(eventFile);
            PrintWriter out = spec.commandLine().getOut();
            List<RouteDecision> decisions = router.route(event, destination.id());
            long fired = decisions.stream().filter(RouteDecision::routed).count();
            out.printf("%s (%s): %d of %d %s%n", destination.id(), destination.type().wireName(), fired,
                    decisions.size(), destination.isActions() ? "subscription(s) fire" : "route(s)");
            for (RouteDecision decision : decisions) {
                DestinationConfig target = decision.destination();
                if (decision.failed()) {
                    out.printf("%n[fails]   %s: %s (dead-lettered)%n", target.id(), decision.failure());
                } else if (!decision.routed()) {
                    out.printf("%n[skipped] %s: %s%n", target.id(), decision.filterReason().code());
                } else {
                    out.printf("%n[fires]   %s (%s)%n", target.id(), target.name());
                    out.printf("%s %s%n", target.method(), ActionUrl.render(target.endpoint(), decision.body()));
                    Map<String, String> headers = new TreeMap<>(target.maskedHeaders());
                    headers.put("Content-Type", "application/json");
                    headers.put(DeliveryRequests.IDEMPOTENCY_HEADER, event.messageId());
                    headers.forEach((name, value) -> out.printf("%s: %s%n", name, value));
                    out.println();
                    out.println(JsonInput.pretty(decision.body()));
                    if (!target.batching().isSingle()) {
                        out.printf("(batched: up to %d events per request, sent as a JSON array)%n",
                                target.batching().maxEvents());
                    }
                }
            }
            return 0;
        }

        private static SegmentEvent parse(Path file) {
            ParseResult result = new SegmentEventParser().parse(
                    new RawEvent("cli", 0, 0, System.currentTimeMillis(), null, JsonInput.bytes(file, "event")));
            if (!result.invalid().isEmpty()) {
                throw new BadInputException(file + ": not a valid Segment event: " + result.invalid().get(0).describe());
            }
            if (result.events().size() != 1) {
                throw new BadInputException(file + ": expected one event, got a batch of " + result.events().size());
            }
            return result.events().get(0);
        }
    }
}
