package dev.skiff.broker.cluster;

import dev.skiff.protocol.types.Uuid;
import java.util.Map;
import java.util.Set;

/**
 * The cluster as the controller last published it: every registered broker and which are alive (unfenced),
 * the controller, every topic with its partitions' registrations, and the configs set on groups (GROUP config
 * resources: group to its keys; a group once configured stays, possibly with no keys). Immutable: a change publishes a new
 * image with a higher {@code offset} (the position of its last record in the controller's metadata log), and
 * brokers compare the new image with the one they had to find what changed for them.
 */
public record MetadataImage(
        long offset,
        int controllerId,
        Map<Integer, BrokerEndpoint> registeredBrokers,
        Set<Integer> liveBrokers,
        Map<String, TopicImage> topics,
        Map<String, Map<String, String>> groupConfigs) {

    public MetadataImage {
        registeredBrokers = Map.copyOf(registeredBrokers);
        liveBrokers = Set.copyOf(liveBrokers);
        topics = Map.copyOf(topics);
        groupConfigs = Map.copyOf(groupConfigs);
    }

    /** An image without group configs. */
    public MetadataImage(
            long offset,
            int controllerId,
            Map<Integer, BrokerEndpoint> registeredBrokers,
            Set<Integer> liveBrokers,
            Map<String, TopicImage> topics) {
        this(offset, controllerId, registeredBrokers, liveBrokers, topics, Map.of());
    }

    public TopicImage topic(String name) {
        return topics.get(name);
    }

    public TopicImage topic(Uuid id) {
        for (TopicImage t : topics.values()) if (t.id().equals(id)) return t;
        return null;
    }

    public PartitionRegistration partition(String topic, int index) {
        TopicImage t = topics.get(topic);
        return t == null ? null : t.partition(index);
    }

    public boolean isAlive(int brokerId) {
        return liveBrokers.contains(brokerId);
    }
}
