package dev.skiff.broker.cluster;

import dev.skiff.broker.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What brokers ask of the cluster's controller: Kafka's broker-to-controller requests (CreateTopics,
 * AlterPartition, ElectLeaders, broker registration and heartbeats) as calls, since the brokers of a Skiff
 * cluster share one process. Every change is written to the controller's metadata log before it is applied
 * and published, so the whole cluster restarts with what it had. Failures are
 * {@link dev.skiff.protocol.ApiException}s with Kafka's error codes.
 */
public interface Controller {

    /** The image last published. */
    MetadataImage image();

    /** Calls {@code listener} with the current image at once and with every image published after it. */
    void subscribe(int brokerId, Consumer<MetadataImage> listener);

    void unsubscribe(int brokerId);

    /** A broker starts (or restarts): it is registered with its endpoint and becomes alive. */
    void register(BrokerEndpoint endpoint);

    /**
     * A broker stopped or died: it is fenced, taken out of every ISR it is in (unless it is the last member,
     * as Kafka keeps it), and each partition it led gets a new leader from the ISR.
     */
    void fence(int brokerId);

    /**
     * UnregisterBroker ({@code kafka-cluster unregister}): the broker's registration is removed, after its
     * leaderships and ISR places are given up as when it stops; a running broker registers again at once (Kafka's
     * does on its next heartbeat). BROKER_ID_NOT_REGISTERED when no such broker is registered.
     */
    default void unregister(int brokerId) {
        throw new UnsupportedOperationException("this controller does not unregister brokers");
    }

    /**
     * Creates a topic: {@code replicationFactor} -1 takes default.replication.factor; {@code assignment}
     * (partition -> replicas) may be null, then replicas are spread over the live brokers as Kafka does.
     */
    TopicImage createTopic(
            String name,
            int partitions,
            int replicationFactor,
            Map<Integer, List<Integer>> assignment,
            Map<String, String> configs);

    void deleteTopic(String name);

    /** Grows a topic to {@code totalPartitions}; {@code assignment} (new partitions' replicas) may be null. */
    TopicImage createPartitions(String name, int totalPartitions, List<List<Integer>> assignment);

    /** Replaces the configs set on a topic. */
    TopicImage alterTopicConfigs(String name, Map<String, String> configs);

    /** Replaces the configs set on a group (a GROUP config resource); already validated by the broker. */
    default void alterGroupConfigs(String group, Map<String, String> configs) {
        throw new dev.skiff.protocol.ApiException(
                dev.skiff.protocol.Errors.INVALID_REQUEST, "This controller keeps no group configs");
    }

    /**
     * AlterPartition: the leader {@code brokerId} asks for a new ISR of a partition it leads at
     * {@code leaderEpoch}/{@code partitionEpoch}. Answers the registration in force afterwards; refuses a
     * stale request with FENCED_LEADER_EPOCH or INVALID_UPDATE_VERSION, as Kafka's controller does.
     */
    PartitionRegistration alterPartition(
            int brokerId, TopicPartition partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr);

    /** ElectLeaders: preferred (back to the first replica, when in the ISR) or unclean. Errors per partition. */
    Map<TopicPartition, dev.skiff.protocol.Errors> electLeaders(boolean unclean, List<TopicPartition> partitions);
}
