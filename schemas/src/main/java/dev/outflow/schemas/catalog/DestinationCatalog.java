package dev.outflow.schemas.catalog;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every configured destination, in file order, validated. Immutable and serializable into Flink functions. */
public final class DestinationCatalog implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<DestinationConfig> destinations;
    private final Map<String, DestinationConfig> byId;

    public DestinationCatalog(String source, List<DestinationConfig> destinations) {
        this.source = source;
        this.destinations = List.copyOf(destinations);
        Map<String, DestinationConfig> index = new LinkedHashMap<>();
        for (DestinationConfig destination : this.destinations) {
            index.put(destination.id(), destination);
        }
        this.byId = index;
    }

    /** Where the catalog was read from, for messages. */
    public String source() {
        return source;
    }

    public List<DestinationConfig> destinations() {
        return destinations;
    }

    public Optional<DestinationConfig> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public DestinationConfig get(String id) {
        DestinationConfig destination = byId.get(id);
        if (destination == null) {
            throw new IllegalArgumentException("no destination '" + id + "' in " + source);
        }
        return destination;
    }

    @Override
    public String toString() {
        return "DestinationCatalog[" + source + ", " + destinations + "]";
    }
}
