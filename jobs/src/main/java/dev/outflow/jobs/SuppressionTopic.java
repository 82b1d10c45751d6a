package dev.outflow.jobs;

import dev.outflow.schemas.catalog.CatalogException;
import dev.outflow.schemas.catalog.DestinationCatalog;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks the catalog's suppression topic before the job starts. A source on a missing topic reads nothing and
 * says nothing, which for a privacy control means users silently not suppressed: so a missing topic is a start-up
 * error. The job never creates it (it is the user's list, and must be compacted to keep every user's last word).
 */
public final class SuppressionTopic {

    private SuppressionTopic() {}

    /**
     * Fails with a catalog error naming the field when the topic does not exist; returns a warning when it exists
     * but is not compacted (its older suppressions would expire with the retention time).
     */
    public static Optional<String> check(JobSettings settings, DestinationCatalog catalog)
            throws InterruptedException {
        String topic = catalog.privacy().suppressionTopic();
        if (topic == null) {
            return Optional.empty();
        }
        Map<String, Object> config = new HashMap<>(settings.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                throw new CatalogException(catalog.source(), null, "privacy.suppressionTopic", "topic '" + topic
                        + "' does not exist at " + settings.bootstrapServers()
                        + " (create it with cleanup.policy=compact)");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config topicConfig = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource);
            ConfigEntry policy = topicConfig == null ? null : topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy != null && !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                return Optional.of("the suppression topic '" + topic + "' has cleanup.policy=" + policy.value()
                        + ", not compact: suppressions older than its retention will be forgotten");
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the suppression topic '" + topic + "' at "
                    + settings.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers()
                    + " did not answer within 30 s while checking the suppression topic", e);
        }
    }
}
