package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.rules.fql.FqlParseException;
import dev.outflow.rules.fql.Subscription;
import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationConfig;
import dev.outflow.schemas.catalog.FilterConfig;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The destination filters of one destination, compiled, applied in Segment's order whatever their order in the
 * file: every sample filter, then drops, then dropped properties, then allowed properties. Each acts only on events
 * its {@code if} condition matches, evaluated on the event as the filters before it left it.
 *
 * <p>Property filters follow Segment's transformer semantics: the map key names an object ({@code ""} is the
 * event itself, else a dotted path such as {@code context.traits}); its keys are dropped from (or are the only keys
 * kept in) that object, or in each object of an array there. Paths that lead to no object are left alone.
 */
final class DestinationFilters implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<Compiled> filters;

    private DestinationFilters(List<Compiled> filters) {
        this.filters = filters;
    }

    /** @throws CatalogException naming the destination and the filter when a condition is not valid FQL */
    static DestinationFilters compile(String catalogSource, DestinationConfig destination) {
        List<Compiled> compiled = new ArrayList<>();
        List<FilterConfig> configured = destination.filters();
        for (int i = 0; i < configured.size(); i++) {
            FilterConfig filter = configured.get(i);
            Subscription condition = null;
            if (!filter.matchesAll()) {
                try {
                    condition = Subscription.parse(filter.condition());
                } catch (FqlParseException e) {
                    throw new CatalogException(catalogSource, destination.id(), "filters[" + i + "].if",
                            "is not a valid FQL condition: " + e.getMessage());
                }
            }
            compiled.add(new Compiled(filter, condition));
        }
        compiled.sort(Comparator.comparing(c -> c.config.action()));
        return new DestinationFilters(List.copyOf(compiled));
    }

    boolean isEmpty() {
        return filters.isEmpty();
    }

    /** Applies the filters; null when the event goes on (possibly changed in {@code event}), else the rule. */
    FilterReason apply(EventCopy event, String messageId) {
        for (Compiled filter : filters) {
            if (filter.condition != null && !filter.condition.matches(event.current())) {
                continue;
            }
            FilterConfig config = filter.config;
            switch (config.action()) {
                case SAMPLE -> {
                    if (!sampledIn(messageId, config.percent())) {
                        return FilterReason.FILTER_SAMPLED_OUT;
                    }
                }
                case DROP -> {
                    return FilterReason.FILTER_DROPPED;
                }
                case DROP_PROPERTIES -> forEachObject(event, config.fields(), (object, keys) -> object.remove(keys));
                case ALLOW_PROPERTIES -> forEachObject(event, config.fields(), (object, keys) -> {
                    Set<String> allowed = Set.copyOf(keys);
                    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                        if (!allowed.contains(names.next())) {
                            names.remove();
                        }
                    }
                });
            }
        }
        return null;
    }

    /**
     * Deterministic per messageId, so a replayed event is sampled the same way: the first 53 bits of the SHA-256
     * of the messageId, as a fraction of 1, must fall below {@code percent}.
     */
    static boolean sampledIn(String messageId, double percent) {
        if (percent <= 0) {
            return false;
        }
        if (percent >= 1) {
            return true;
        }
        return fraction(messageId) < percent;
    }

    static double fraction(String messageId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(messageId.getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(digest).getLong() >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private interface ObjectEdit {
        void apply(ObjectNode object, List<String> keys);
    }

    private static void forEachObject(EventCopy event, Map<String, List<String>> fields, ObjectEdit edit) {
        for (Map.Entry<String, List<String>> entry : fields.entrySet()) {
            FieldPath path = FieldPath.of(entry.getKey());
            JsonNode target = path.get(event.current());
            if (!target.isContainerNode()) {
                continue;
            }
            // Only copy when there is something to change in this destination's event.
            JsonNode writable = path.get(event.writable());
            if (writable.isObject()) {
                edit.apply((ObjectNode) writable, entry.getValue());
            } else {
                for (JsonNode item : writable) {
                    if (item.isObject()) {
                        edit.apply((ObjectNode) item, entry.getValue());
                    }
                }
            }
        }
    }

    private record Compiled(FilterConfig config, Subscription condition) implements Serializable {}
}
