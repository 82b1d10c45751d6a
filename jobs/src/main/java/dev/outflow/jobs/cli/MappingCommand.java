package dev.outflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.cli.OutflowCli.BadInputException;
import dev.outflow.rules.mapping.Mapping;
import dev.outflow.rules.mapping.MappingRuntimeException;
import dev.outflow.rules.mapping.MappingValidationException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code outflow mapping ...}: try Actions mappings (Segment's mapping-kit) on sample events. */
@Command(name = "mapping", mixinStandardHelpOptions = true, description = "Try Actions field mappings.",
        subcommands = MappingCommand.Eval.class)
public final class MappingCommand {

    /** Prints the mapped JSON; an invalid mapping or input exits with 2 and the problem. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Apply a mapping (JSON, mapping-kit directives) to an input event (JSON) and print the"
                    + " result. An invalid mapping is reported with the path of the bad directive (exit code 2).")
    static final class Eval implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--mapping", required = true, paramLabel = "FILE", description = "the mapping, as JSON")
        Path mappingFile;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "the event, as JSON")
        Path inputFile;

        @Override
        public Integer call() {
            JsonNode mappingJson = JsonInput.tree(mappingFile, "mapping");
            JsonNode input = JsonInput.tree(inputFile, "input");
            Mapping mapping;
            try {
                mapping = Mapping.compile(mappingJson);
            } catch (MappingValidationException e) {
                throw new BadInputException(mappingFile + ": invalid mapping at " + e.path() + ": " + e.getMessage());
            }
            JsonNode result;
            try {
                result = mapping.transform(input);
            } catch (MappingRuntimeException e) {
                throw new BadInputException(inputFile + ": " + e.getMessage());
            }
            spec.commandLine().getOut().println(result.isMissingNode() ? "undefined" : JsonInput.pretty(result));
            return 0;
        }
    }
}
