package dev.outflow.benchmarks;

import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.CatalogLoader;
import dev.outflow.schemas.catalog.DestinationCatalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Writes a scenario's destination catalog in the user's YAML format and loads it with the job's own loader.
 *
 * <p>The retry settings ({@code delivery.retry.window|initialWait|maxWait}, {@code delivery.circuitOpen},
 * {@code batching.mode}) are written compressed by the time scale. A job that does not know them yet rejects
 * them as unknown fields; then the catalog is loaded without them and {@link Loaded#retrySettingsApplied()} says
 * so, which the report prints.
 */
final class BenchCatalog {

    /** The job's defaults, compressed by the time scale in the catalog. */
    static final Duration RETRY_WINDOW = Duration.ofHours(4);
    static final Duration RETRY_INITIAL_WAIT = Duration.ofSeconds(1);
    static final Duration RETRY_MAX_WAIT = Duration.ofMinutes(10);
    static final Duration CIRCUIT_OPEN = Duration.ofSeconds(10);

    /** The loaded catalog, and whether the job took the compressed retry settings. */
    record Loaded(DestinationCatalog catalog, boolean retrySettingsApplied, String yaml) {}

    private BenchCatalog() {}

    static Loaded load(List<BenchDestination> destinations, Map<String, String> urls, TimeScale scale) {
        return load(destinations, urls, scale, null);
    }

    /** As above, with every destination's {@code delivery.dedupWindow} set, unless {@code dedupWindow} is null. */
    static Loaded load(List<BenchDestination> destinations, Map<String, String> urls, TimeScale scale,
            Duration dedupWindow) {
        String withRetry = yaml(destinations, urls, scale, true, dedupWindow);
        try {
            return new Loaded(parse(withRetry), true, withRetry);
        } catch (CatalogException unknownField) {
            if (unknownField.getMessage() == null || !unknownField.getMessage().contains("not a known field")) {
                throw unknownField;
            }
            String plain = yaml(destinations, urls, scale, false, dedupWindow);
            return new Loaded(parse(plain), false, plain);
        }
    }

    private static DestinationCatalog parse(String yaml) {
        return new CatalogLoader(name -> null).parse("bench/destinations.yaml", yaml, false);
    }

    static String yaml(List<BenchDestination> destinations, Map<String, String> urls, TimeScale scale,
            boolean retrySettings, Duration dedupWindow) {
        StringBuilder yaml = new StringBuilder("destinations:\n");
        for (BenchDestination destination : destinations) {
            yaml.append("  - id: ").append(destination.id()).append('\n')
                    .append("    type: webhook\n")
                    .append("    endpoint: \"").append(urls.get(destination.id())).append("\"\n")
                    .append("    batching:\n")
                    .append("      maxEvents: ").append(destination.maxEvents()).append('\n')
                    .append("      maxWait: 200ms\n")
                    // the catalog's default of one shard: each destination's batches are formed and delivered in one
                    // task, with no network shuffle between (see OutflowTopology.deliversFromBatcher)
                    .append("      shards: 1\n");
            if (retrySettings) {
                yaml.append("      mode: stream\n");
            }
            yaml.append("    delivery:\n")
                    .append("      timeout: ").append(destination.timeoutMs()).append("ms\n")
                    .append("      maxConcurrency: ").append(destination.maxConcurrency()).append('\n');
            if (dedupWindow != null) {
                yaml.append("      dedupWindow: ").append(dedupWindow.toMillis()).append("ms\n");
            }
            if (retrySettings) {
                yaml.append("      circuitOpen: ").append(scale.duration(CIRCUIT_OPEN)).append('\n')
                        .append("      retry:\n")
                        .append("        window: ").append(scale.duration(RETRY_WINDOW)).append('\n')
                        .append("        initialWait: ").append(scale.duration(RETRY_INITIAL_WAIT)).append('\n')
                        .append("        maxWait: ").append(scale.duration(RETRY_MAX_WAIT)).append('\n');
            }
        }
        return yaml.toString();
    }
}
