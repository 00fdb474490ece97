package dev.skiff.broker.coordinator;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinators in a cluster: a key's coordinator is the leader of its internal-topic partition in the latest
 * metadata image. The internal topics are created through the controller when a coordinator is first looked
 * for, with {@code offsets.topic.num.partitions} / {@code transaction.state.log.num.partitions} partitions and
 * {@code offsets.topic.replication.factor} / {@code transaction.state.log.replication.factor} replicas (both
 * default 3, as in Kafka). Like Kafka 4.x, the replication factor is not lowered to the brokers alive: while
 * fewer are alive, creation fails and FindCoordinator answers COORDINATOR_NOT_AVAILABLE (a cluster of fewer
 * brokers sets the factor to its size, as Kafka's own test clusters do).
 */
public final class ClusterCoordinatorLocator implements CoordinatorLocator {

    private static final Logger log = LoggerFactory.getLogger(ClusterCoordinatorLocator.class);
    /** Kafka's default of offsets.topic.replication.factor and transaction.state.log.replication.factor. */
    static final int DEFAULT_REPLICATION_FACTOR = 3;

    private final Supplier<MetadataImage> image;
    private final Controller controller;
    private final BrokerConfig config;

    public ClusterCoordinatorLocator(Supplier<MetadataImage> image, Controller controller, BrokerConfig config) {
        this.image = image;
        this.controller = controller;
        this.config = config;
    }

    @Override
    public int partitionFor(KeyType type, String key) {
        TopicImage t = image.get().topic(type.topic());
        int n = t != null ? t.partitions().size() : Coordinators.configuredPartitions(config, type);
        return CoordinatorLocator.partitionFor(key, n);
    }

    @Override
    public BrokerEndpoint coordinator(KeyType type, String key) {
        TopicImage t = topic(type);
        MetadataImage now = image.get();
        PartitionRegistration p =
                t.partition(CoordinatorLocator.partitionFor(key, t.partitions().size()));
        if (p == null || !p.hasLeader() || !now.isAlive(p.leader()))
            throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE, "the partition of " + key + " has no leader");
        BrokerEndpoint leader = now.registeredBrokers().get(p.leader());
        if (leader == null)
            throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE, "broker " + p.leader() + " is not registered");
        return leader;
    }

    /** NOT_COORDINATOR unless this broker leads the key's partition in the latest image. */
    @Override
    public void ensureCoordinator(KeyType type, String key) {
        MetadataImage now = image.get();
        TopicImage t = now.topic(type.topic());
        PartitionRegistration p = t == null
                ? null
                : t.partition(
                        CoordinatorLocator.partitionFor(key, t.partitions().size()));
        if (p == null || p.leader() != config.nodeId)
            throw new ApiException(Errors.NOT_COORDINATOR, "broker " + config.nodeId + " does not coordinate " + key);
    }

    /** The internal topic, created through the controller when it does not exist yet. */
    private TopicImage topic(KeyType type) {
        TopicImage t = image.get().topic(type.topic());
        if (t != null) return t;
        synchronized (this) {
            t = image.get().topic(type.topic());
            if (t != null) return t;
            int rf = replicationFactor(type);
            int live = image.get().liveBrokers().size();
            if (live < rf) {
                throw new ApiException(
                        Errors.COORDINATOR_NOT_AVAILABLE,
                        type.topic() + " needs " + rf + " live brokers (its replication factor), " + live
                                + " are alive");
            }
            try {
                t = controller.createTopic(
                        type.topic(),
                        Coordinators.configuredPartitions(config, type),
                        rf,
                        null,
                        Map.of("cleanup.policy", "compact", "segment.bytes", Integer.toString(100 * 1024 * 1024)));
                log.info("Created {} with replication factor {}", type.topic(), rf);
            } catch (ApiException e) {
                if (e.error() != Errors.TOPIC_ALREADY_EXISTS) {
                    throw new ApiException(
                            Errors.COORDINATOR_NOT_AVAILABLE,
                            "cannot create " + type.topic() + ": " + e.getMessage(),
                            e);
                }
                t = image.get().topic(type.topic());
            }
            if (t == null) throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE, type.topic() + " is being created");
            return t;
        }
    }

    private int replicationFactor(KeyType type) {
        String key =
                type == KeyType.GROUP ? "offsets.topic.replication.factor" : "transaction.state.log.replication.factor";
        return Coordinators.intSetting(config, key, DEFAULT_REPLICATION_FACTOR);
    }
}
