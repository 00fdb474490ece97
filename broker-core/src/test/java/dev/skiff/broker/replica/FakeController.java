package dev.skiff.broker.replica;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A controller in memory for replica tests: keeps an image, publishes every change to subscribers (outside
 * its lock), checks AlterPartition's epochs and elects a new leader from the ISR when a broker is fenced.
 */
final class FakeController implements Controller {
    private final Map<Integer, Consumer<MetadataImage>> subscribers = new ConcurrentHashMap<>();
    private MetadataImage image = new MetadataImage(0, 0, Map.of(), Set.of(), Map.of());
    final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public synchronized MetadataImage image() {
        return image;
    }

    @Override
    public void subscribe(int brokerId, Consumer<MetadataImage> listener) {
        subscribers.put(brokerId, listener);
        listener.accept(image());
    }

    @Override
    public void unsubscribe(int brokerId) {
        subscribers.remove(brokerId);
    }

    private void publish(MetadataImage next) {
        synchronized (this) {
            image = next;
        }
        for (Consumer<MetadataImage> s : subscribers.values()) s.accept(next);
    }

    private MetadataImage with(
            Map<Integer, BrokerEndpoint> brokers, Set<Integer> live, Map<String, TopicImage> topics) {
        return new MetadataImage(image.offset() + 1, 0, brokers, live, topics);
    }

    @Override
    public void register(BrokerEndpoint endpoint) {
        MetadataImage next;
        synchronized (this) {
            Map<Integer, BrokerEndpoint> brokers = new HashMap<>(image.registeredBrokers());
            brokers.put(endpoint.id(), endpoint);
            Set<Integer> live = new HashSet<>(image.liveBrokers());
            live.add(endpoint.id());
            // partitions without a leader get this broker back if it is in their ISR
            Map<String, TopicImage> topics = new HashMap<>();
            for (TopicImage t : image.topics().values()) {
                List<PartitionRegistration> parts = new ArrayList<>();
                for (PartitionRegistration r : t.partitions()) {
                    if (!r.hasLeader() && r.isr().contains(endpoint.id()))
                        r = new PartitionRegistration(
                                r.replicas(), r.isr(), endpoint.id(), r.leaderEpoch() + 1, r.partitionEpoch() + 1);
                    parts.add(r);
                }
                topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
            }
            next = with(brokers, live, topics);
        }
        publish(next);
    }

    @Override
    public void fence(int brokerId) {
        MetadataImage next;
        synchronized (this) {
            Set<Integer> live = new HashSet<>(image.liveBrokers());
            live.remove(brokerId);
            Map<String, TopicImage> topics = new HashMap<>();
            for (TopicImage t : image.topics().values()) {
                List<PartitionRegistration> parts = new ArrayList<>();
                for (PartitionRegistration r : t.partitions()) {
                    List<Integer> isr = new ArrayList<>(r.isr());
                    if (isr.size() > 1) isr.remove(Integer.valueOf(brokerId));
                    int leader = r.leader();
                    int epoch = r.leaderEpoch();
                    if (leader == brokerId) {
                        leader = isr.stream()
                                .filter(b -> b != brokerId && live.contains(b))
                                .findFirst()
                                .orElse(PartitionRegistration.NO_LEADER);
                        epoch++;
                    }
                    boolean changed = leader != r.leader() || !isr.equals(r.isr());
                    parts.add(
                            changed
                                    ? new PartitionRegistration(
                                            r.replicas(), isr, leader, epoch, r.partitionEpoch() + 1)
                                    : r);
                }
                topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
            }
            next = with(image.registeredBrokers(), live, topics);
        }
        publish(next);
    }

    @Override
    public TopicImage createTopic(
            String name,
            int partitions,
            int replicationFactor,
            Map<Integer, List<Integer>> assignment,
            Map<String, String> configs) {
        TopicImage t;
        MetadataImage next;
        synchronized (this) {
            List<Integer> live = new ArrayList<>(new java.util.TreeSet<>(image.liveBrokers()));
            List<PartitionRegistration> parts = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                List<Integer> replicas;
                if (assignment != null) replicas = assignment.get(i);
                else {
                    replicas = new ArrayList<>();
                    for (int k = 0; k < replicationFactor; k++) replicas.add(live.get((i + k) % live.size()));
                }
                parts.add(new PartitionRegistration(replicas, replicas, replicas.get(0), 0, 0));
            }
            t = new TopicImage(name, Uuid.random(), configs, parts);
            Map<String, TopicImage> topics = new LinkedHashMap<>(image.topics());
            topics.put(name, t);
            next = with(image.registeredBrokers(), image.liveBrokers(), topics);
        }
        publish(next);
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
            int brokerId, TopicPartition tp, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        PartitionRegistration updated;
        MetadataImage next;
        synchronized (this) {
            TopicImage t = image.topic(tp.topic());
            PartitionRegistration r = t == null ? null : t.partition(tp.partition());
            if (r == null) throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, tp.toString());
            if (r.leader() != brokerId || r.leaderEpoch() != leaderEpoch) {
                refusals.add("FENCED_LEADER_EPOCH " + tp);
                throw new ApiException(Errors.FENCED_LEADER_EPOCH, "stale leader epoch " + leaderEpoch);
            }
            if (r.partitionEpoch() != partitionEpoch) {
                refusals.add("INVALID_UPDATE_VERSION " + tp);
                throw new ApiException(Errors.INVALID_UPDATE_VERSION, "stale partition epoch " + partitionEpoch);
            }
            updated = new PartitionRegistration(r.replicas(), newIsr, r.leader(), r.leaderEpoch(), partitionEpoch + 1);
            List<PartitionRegistration> parts = new ArrayList<>(t.partitions());
            parts.set(tp.partition(), updated);
            Map<String, TopicImage> topics = new HashMap<>(image.topics());
            topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
            next = with(image.registeredBrokers(), image.liveBrokers(), topics);
        }
        publish(next);
        return updated;
    }

    /** Moves leadership of a partition to {@code leader} (which must be in the ISR), bumping the epoch. */
    void moveLeader(TopicPartition tp, int leader) {
        MetadataImage next;
        synchronized (this) {
            TopicImage t = image.topic(tp.topic());
            PartitionRegistration r = t.partition(tp.partition());
            List<PartitionRegistration> parts = new ArrayList<>(t.partitions());
            parts.set(
                    tp.partition(),
                    new PartitionRegistration(
                            r.replicas(), r.isr(), leader, r.leaderEpoch() + 1, r.partitionEpoch() + 1));
            Map<String, TopicImage> topics = new HashMap<>(image.topics());
            topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
            next = with(image.registeredBrokers(), image.liveBrokers(), topics);
        }
        publish(next);
    }

    @Override
    public Map<TopicPartition, Errors> electLeaders(boolean unclean, List<TopicPartition> partitions) {
        throw new UnsupportedOperationException();
    }
}
