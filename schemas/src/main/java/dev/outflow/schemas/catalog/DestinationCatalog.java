package dev.outflow.schemas.catalog;

import java.io.Serializable;
import java.util.ArrayList;
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
    private final List<DestinationConfig> deliveryTargets;
    private final PrivacyConfig privacy;

    public DestinationCatalog(String source, List<DestinationConfig> destinations) {
        this(source, destinations, PrivacyConfig.NONE);
    }

    public DestinationCatalog(String source, List<DestinationConfig> destinations, PrivacyConfig privacy) {
        this.source = source;
        this.destinations = List.copyOf(destinations);
        this.privacy = privacy;
        Map<String, DestinationConfig> index = new LinkedHashMap<>();
        List<DestinationConfig> targets = new ArrayList<>();
        for (DestinationConfig destination : this.destinations) {
            index.put(destination.id(), destination);
            if (!destination.isActions()) {
                targets.add(destination);
            }
            for (ActionSubscriptionConfig subscription : destination.subscriptions()) {
                DestinationConfig target = destination.subscriptionTarget(subscription);
                index.put(target.id(), target);
                targets.add(target);
            }
        }
        this.byId = index;
        this.deliveryTargets = List.copyOf(targets);
    }

    /**
     * What events are batched and delivered to, by route id: each webhook destination, and each subscription of an
     * Actions destination ({@code <destination>/<subscription>}).
     */
    public List<DestinationConfig> deliveryTargets() {
        return deliveryTargets;
    }

    public PrivacyConfig privacy() {
        return privacy;
    }

    /** Where the catalog was read from, for messages. */
    public String source() {
        return source;
    }

    public List<DestinationConfig> destinations() {
        return destinations;
    }

    /** A destination, or the delivery target of a subscription ({@code <destination>/<subscription>}). */
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
