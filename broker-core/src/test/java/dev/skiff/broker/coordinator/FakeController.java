package dev.skiff.broker.coordinator;

import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An in-memory controller for tests: brokers, topics and leaders as the test sets them; createTopic puts
 * replica i of partition p on live broker (p + i) % n and makes the first one leader. Nothing is durable.
 */
final class FakeController implements Controller {

    private final Map<Integer, BrokerEndpoint> brokers = new HashMap<>();
    private final Set<Integer> live = new HashSet<>();
    private final Map<String, TopicImage> topics = new HashMap<>();
    private long offset;
    final List<String> created = new ArrayList<>();

    synchronized FakeController broker(int id) {
        brokers.put(id, new BrokerEndpoint(id, "host-" + id, 9000 + id, null));
        live.add(id);
        offset++;
        return this;
    }

    /** Puts a topic whose partition i is led by {@code leaders[i]} (-1: no leader). */
    synchronized FakeController topic(String name, int... leaders) {
        List<PartitionRegistration> parts = new ArrayList<>();
        for (int l : leaders) {
            List<Integer> replicas = l < 0 ? List.of(0) : List.of(l);
            parts.add(new PartitionRegistration(replicas, replicas, l, 1, 1));
        }
        topics.put(name, new TopicImage(name, Uuid.random(), Map.of(), parts));
        offset++;
        return this;
    }

    @Override
    public synchronized MetadataImage image() {
        return new MetadataImage(offset, 0, brokers, live, topics);
    }

    @Override
    public void subscribe(int brokerId, Consumer<MetadataImage> listener) {
        listener.accept(image());
    }

    @Override
    public void unsubscribe(int brokerId) {}

    @Override
    public synchronized void register(BrokerEndpoint endpoint) {
        brokers.put(endpoint.id(), endpoint);
        live.add(endpoint.id());
        offset++;
    }

    @Override
    public synchronized void fence(int brokerId) {
        live.remove(brokerId);
        offset++;
    }

    @Override
    public synchronized TopicImage createTopic(
            String name,
            int partitions,
            int replicationFactor,
            Map<Integer, List<Integer>> assignment,
            Map<String, String> configs) {
        if (topics.containsKey(name)) throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, name);
        List<Integer> alive = new ArrayList<>(new java.util.TreeSet<>(live));
        if (replicationFactor > alive.size()) throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, name);
        List<PartitionRegistration> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int i = 0; i < replicationFactor; i++) replicas.add(alive.get((p + i) % alive.size()));
            parts.add(new PartitionRegistration(replicas, replicas, replicas.get(0), 0, 0));
        }
        TopicImage t = new TopicImage(name, Uuid.random(), configs, parts);
        topics.put(name, t);
        created.add(name + ":" + partitions + ":" + replicationFactor);
        offset++;
        return t;
    }

    @Override
    public void deleteTopic(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicImage createPartitions(String name, int totalPartitions, List<List<Integer>> assignment) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicImage alterTopicConfigs(String name, Map<String, String> configs) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PartitionRegistration alterPartition(
            int brokerId, TopicPartition partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<TopicPartition, Errors> electLeaders(boolean unclean, List<TopicPartition> partitions) {
        throw new UnsupportedOperationException();
    }
}
