package dev.outflow.functions;

import dev.outflow.operators.delivery.HttpTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The sample functions in {@code examples/functions/}, loaded as the job would. */
final class ExampleFunctions {

    static final Path DIRECTORY = Path.of("..", "examples", "functions");

    private ExampleFunctions() {}

    static String code(String file) {
        try {
            return Files.readString(DIRECTORY.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FunctionInstance start(String file, String settingsJson, List<String> secrets, HttpTransport transport,
            long timeoutMs) {
        return new FunctionInstance(file, file, code(file), settingsJson, secrets, transport,
                FunctionInstance.Limits.DEFAULTS.withTimeoutMs(timeoutMs));
    }
}
