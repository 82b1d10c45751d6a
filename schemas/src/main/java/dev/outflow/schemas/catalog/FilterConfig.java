package dev.outflow.schemas.catalog;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One destination filter, as Segment's destination filters API defines them.
 *
 * @param condition the FQL condition ({@code if}); {@code all} matches every event
 * @param action what happens to matching events
 * @param percent for {@link FilterAction#SAMPLE}: the share of matching events kept, 0 to 1
 * @param fields for the property actions: object path ({@code ""} for the top level, {@code properties},
 *     {@code context.traits}, ...) to the keys dropped or allowed in that object
 */
public record FilterConfig(String condition, FilterAction action, double percent, Map<String, List<String>> fields)
        implements Serializable {

    /** The condition that matches every event. */
    public static final String ALL = "all";

    public FilterConfig {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        fields.forEach((object, keys) -> copy.put(object, List.copyOf(keys)));
        fields = java.util.Collections.unmodifiableMap(copy);
    }

    public boolean matchesAll() {
        return ALL.equals(condition.trim());
    }
}
