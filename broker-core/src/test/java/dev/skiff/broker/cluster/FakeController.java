package dev.skiff.broker.cluster;

import dev.skiff.broker.TopicPartition;
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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A controller in memory for tests (broker-core's, and integration-tests' through broker-core's test jar): keeps
 * an image and publishes every change to subscribers (outside its lock). createTopic puts replica i of partition
 * p on live broker (p + i) % n unless given an assignment, and makes the first replica leader; AlterPartition's
 * epochs are checked; a fenced broker leaves every ISR it is not the last of, and its partitions get a new
 * leader from the ISR. Tests may also set brokers, topics and leaders directly ({@link #broker}, {@link #topic},
 * {@link #moveLeader}). Nothing is durable.
 */
public final class FakeController implements Controller {
    private final Map<Integer, Consumer<MetadataImage>> subscribers = new ConcurrentHashMap<>();
    private MetadataImage image = new MetadataImage(0, 0, Map.of(), Set.of(), Map.of());
    /** AlterPartition requests refused, as "ERROR topic-partition". */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    /** Topics made by createTopic, as "name:partitions:replicationFactor". */
    public final List<String> created = new CopyOnWriteArrayList<>();

    /** Registers broker {@code id} at host-{@code id}:(9000 + {@code id}). */
    public FakeController broker(int id) {
        register(new BrokerEndpoint(id, "host-" + id, 9000 + id, null));
        return this;
    }

    /**
     * Puts (or replaces) a topic whose partition i is led by {@code leaders[i]} alone, at epochs 1 (-1: no leader,
     * with broker 0 as its only replica).
     */
    public FakeController topic(String name, int... leaders) {
        List<PartitionRegistration> parts = new ArrayList<>();
        for (int l : leaders) {
            List<Integer> replicas = l < 0 ? List.of(0) : List.of(l);
            parts.add(new PartitionRegistration(replicas, replicas, l, 1, 1));
        }
        TopicImage t = new TopicImage(name, Uuid.random(), Map.of(), parts);
        MetadataImage next;
        synchronized (this) {
            next = withTopic(t);
        }
        publish(next);
        return this;
    }

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

    /** The image with {@code t} put in place of its namesake; the caller holds the lock. */
    private MetadataImage withTopic(TopicImage t) {
        Map<String, TopicImage> topics = new LinkedHashMap<>(image.topics());
        topics.put(t.name(), t);
        return with(image.registeredBrokers(), image.liveBrokers(), topics);
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

    /**
     * Refuses a topic that exists (TOPIC_ALREADY_EXISTS) and, without an assignment, a replication factor above
     * the live brokers (INVALID_REPLICATION_FACTOR), as Kafka's controller does.
     */
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
            if (image.topic(name) != null) throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, name);
            List<Integer> live = new ArrayList<>(new TreeSet<>(image.liveBrokers()));
            if (assignment == null && replicationFactor > live.size())
                throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, name);
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
            next = withTopic(t);
            created.add(name + ":" + partitions + ":" + replicationFactor);
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
            next = withPartition(t, tp.partition(), updated);
        }
        publish(next);
        return updated;
    }

    /** Moves leadership of a partition to {@code leader} (which must be in the ISR), bumping the epoch. */
    public void moveLeader(TopicPartition tp, int leader) {
        MetadataImage next;
        synchronized (this) {
            TopicImage t = image.topic(tp.topic());
            PartitionRegistration r = t.partition(tp.partition());
            next = withPartition(
                    t,
                    tp.partition(),
                    new PartitionRegistration(
                            r.replicas(), r.isr(), leader, r.leaderEpoch() + 1, r.partitionEpoch() + 1));
        }
        publish(next);
    }

    /** The image with partition {@code index} of {@code t} replaced; the caller holds the lock. */
    private MetadataImage withPartition(TopicImage t, int index, PartitionRegistration r) {
        List<PartitionRegistration> parts = new ArrayList<>(t.partitions());
        parts.set(index, r);
        return withTopic(new TopicImage(t.name(), t.id(), t.configs(), parts));
    }

    @Override
    public Map<TopicPartition, Errors> electLeaders(boolean unclean, List<TopicPartition> partitions) {
        throw new UnsupportedOperationException();
    }
}
