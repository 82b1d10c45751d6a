package dev.outflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outflow.jobs.cli.OutflowCli.BadInputException;
import dev.outflow.schemas.event.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the JSON files the rule commands take, turning every problem into a {@link BadInputException}. */
final class JsonInput {

    private JsonInput() {}

    static byte[] bytes(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": " + what + " file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the " + what + " file: " + e.getMessage());
        }
    }

    static JsonNode tree(Path file, String what) {
        byte[] bytes = bytes(file, what);
        try {
            JsonNode tree = Json.MAPPER.readTree(bytes);
            if (tree == null) {
                throw new BadInputException(file + ": the " + what + " file is empty");
            }
            return tree;
        } catch (IOException e) {
            throw new BadInputException(file + ": the " + what + " is not valid JSON: " + e.getMessage()
                    .split("\n")[0]);
        }
    }

    static String pretty(JsonNode node) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
