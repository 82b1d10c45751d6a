package dev.outflow.jobs;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure the retry topic exists before the job reads it (a source on a missing topic would only find it at
 * its next partition discovery, and broker-side auto-creation may be off). It gets as many partitions as the
 * input topic, so retries spread like the traffic they come from.
 */
public final class RetryTopic {

    private RetryTopic() {}

    /** Creates {@link JobSettings#retryTopic()} if it does not exist; returns true when it created it. */
    public static boolean ensureExists(JobSettings settings) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(settings.kafkaProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (topics.contains(settings.retryTopic())) {
                return false;
            }
            int partitions = 1;
            if (topics.contains(settings.inputTopic())) {
                TopicDescription input = admin.describeTopics(List.of(settings.inputTopic()))
                        .allTopicNames().get(30, TimeUnit.SECONDS).get(settings.inputTopic());
                partitions = input.partitions().size();
            }
            admin.createTopics(List.of(new NewTopic(settings.retryTopic(), Optional.of(partitions), Optional.empty())))
                    .all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("cannot create the retry topic '" + settings.retryTopic() + "' at "
                    + settings.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers()
                    + " did not answer within 30 s while checking the retry topic", e);
        }
    }
}
