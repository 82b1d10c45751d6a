package dev.outflow.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where reports go ({@code .outflow/bench/} under the repository root, git-ignored) and scratch folders. */
final class BenchFolders {

    private BenchFolders() {}

    /** {@code <root>/.outflow/bench/<kind>-<timestamp>}; the root is {@code -Doutflow.root} (set by ./outflow). */
    static Path defaultReportDir(String kind) {
        Path root = Paths.get(System.getProperty("outflow.root", "")).toAbsolutePath();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return root.resolve(".outflow").resolve("bench").resolve(kind + "-" + stamp);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
