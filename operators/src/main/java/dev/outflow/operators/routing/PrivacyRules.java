package dev.outflow.operators.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outflow.schemas.catalog.BlockAction;
import dev.outflow.schemas.catalog.DataCategory.PiiKind;
import dev.outflow.schemas.catalog.PrivacyConfig;
import dev.outflow.schemas.catalog.PrivacyConfig.BlockRule;
import dev.outflow.schemas.catalog.PrivacyConfig.HashRule;
import dev.outflow.schemas.catalog.SuppressionMode;
import dev.outflow.schemas.event.EventType;
import dev.outflow.schemas.event.SegmentEvent;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The catalog's privacy controls, compiled: user suppression, blocked fields and PII hashing. Blocking runs before
 * hashing, so a field that is both blocked and hashed is blocked.
 */
final class PrivacyRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<String, SuppressionMode> suppressions;
    private final List<Block> blocked;
    private final List<Hash> hashed;

    PrivacyRules(PrivacyConfig config) {
        this.suppressions = config.suppressions();
        List<Block> blocks = new ArrayList<>();
        for (BlockRule rule : config.blocked()) {
            blocks.add(new Block(rule, rule.paths().stream().map(FieldPath::of).toList()));
        }
        this.blocked = List.copyOf(blocks);
        List<Hash> hashes = new ArrayList<>();
        for (HashRule rule : config.hashed()) {
            rule.paths().forEach((path, kind) -> hashes.add(new Hash(rule, FieldPath.of(path), kind)));
        }
        this.hashed = List.copyOf(hashes);
    }

    /**
     * Whether no destination may get this event: its userId is suppressed by the file or by the topic
     * ({@code fromTopic}, null when the topic does not list the user). Either list suffices, so lifting a user on
     * the topic does not lift the file's suppression.
     */
    boolean suppressed(SegmentEvent event, SuppressionMode fromTopic) {
        if (event.userId() == null) {
            return false;
        }
        return suppresses(fromTopic, event)
                || (!suppressions.isEmpty() && suppresses(suppressions.get(event.userId()), event));
    }

    /**
     * A user's own deletion request under {@code suppress_with_delete} still goes (to the destinations that handle
     * deletes); under {@code suppress_only} nothing does.
     */
    private static boolean suppresses(SuppressionMode mode, SegmentEvent event) {
        return mode != null && !(mode == SuppressionMode.SUPPRESS_WITH_DELETE && event.type() == EventType.DELETE);
    }

    /** Applies blocking and hashing for one destination; null when the event goes on, else the rule. */
    FilterReason apply(EventCopy event, String destinationId) {
        for (Block block : blocked) {
            if (!block.rule.appliesTo(destinationId)) {
                continue;
            }
            for (FieldPath path : block.paths) {
                if (path.get(event.current()).isMissingNode()) {
                    continue;
                }
                if (block.rule.action() == BlockAction.DROP_EVENT) {
                    return FilterReason.BLOCKED_FIELD;
                }
                path.remove(event.writable());
            }
        }
        for (Hash hash : hashed) {
            if (!hash.rule.appliesTo(destinationId)) {
                continue;
            }
            JsonNode value = hash.path.get(event.current());
            if (!value.isTextual() && !value.isNumber()) {
                continue;
            }
            String hashedValue = PiiHashing.hash(value.asText(), hash.kind);
            if (!hashedValue.equals(value.asText()) || !value.isTextual()) {
                ((ObjectNode) hash.path.parent(event.writable())).put(hash.path.leaf(), hashedValue);
            }
        }
        return null;
    }

    private record Block(BlockRule rule, List<FieldPath> paths) implements Serializable {}

    private record Hash(HashRule rule, FieldPath path, PiiKind kind) implements Serializable {}
}
