package dev.skiff.broker.cluster;

import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.records.ConfigRecordData;
import dev.skiff.broker.cluster.records.FenceBrokerRecordData;
import dev.skiff.broker.cluster.records.PartitionChangeRecordData;
import dev.skiff.broker.cluster.records.PartitionRecordData;
import dev.skiff.broker.cluster.records.RegisterBrokerRecordData;
import dev.skiff.broker.cluster.records.RemoveTopicRecordData;
import dev.skiff.broker.cluster.records.TopicRecordData;
import dev.skiff.broker.cluster.records.UnfenceBrokerRecordData;
import dev.skiff.broker.cluster.records.UnregisterBrokerRecordData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller of a Skiff cluster, Kafka's QuorumController reduced to one process: every operation first
 * decides the KRaft metadata records it makes (RegisterBroker, Fence/UnfenceBroker, Topic, Partition,
 * PartitionChange, Config, RemoveTopic, UnregisterBroker) from the state in force, writes them to {@code
 * <root>/__cluster_metadata/metadata.log} as one frame, then applies them through {@link #apply}, the same code
 * that replays the log at start; the new {@link MetadataImage} is then published to the subscribers. Images are
 * immutable, so brokers read them without locks.
 *
 * <p>Epochs follow KRaft: a PartitionChangeRecord bumps the partition epoch, and the leader epoch when the leader
 * changes. Placement spreads replicas like Kafka's round-robin assignment (a start index, then consecutive
 * brokers with a shift for the followers). No unclean election unless {@code unclean.leader.election.enable} is
 * true on the topic or the broker config.
 */
public final class ClusterController implements Controller, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

    /** Records one operation may write; a request wanting more answers POLICY_VIOLATION. */
    public static final int MAX_RECORDS_PER_OPERATION = 10_000;

    static final byte TOPIC_RESOURCE = 2;
    static final byte GROUP_RESOURCE = 32;
    static final String UNCLEAN = "unclean.leader.election.enable";

    private final BrokerConfig config;
    private final MetadataLog metadataLog;
    private final Random random;

    // the state records build, guarded by this
    private final Map<Integer, BrokerEndpoint> registered = new TreeMap<>();
    private final Map<Integer, Long> brokerEpochs = new TreeMap<>();
    private final Set<Integer> live = new TreeSet<>();
    private final Map<String, TopicImage> topics = new TreeMap<>();
    private final Map<Uuid, String> names = new LinkedHashMap<>();
    /** Group to the configs set on it (ConfigRecords of resource type GROUP). */
    private final Map<String, Map<String, String>> groupConfigs = new TreeMap<>();

    private long offset = -1;

    private final Map<Integer, Consumer<MetadataImage>> subscribers = new TreeMap<>();
    private volatile MetadataImage image;

    private ClusterController(BrokerConfig config, MetadataLog metadataLog, Random random) {
        this.config = config;
        this.metadataLog = metadataLog;
        this.random = random;
    }

    /** A controller whose metadata log lives under {@code root/__cluster_metadata}; replays it at once. */
    public static ClusterController open(BrokerConfig config, Path root) {
        List<List<ApiMessage>> replayed = new ArrayList<>();
        MetadataLog ml = MetadataLog.open(root.resolve("__cluster_metadata").resolve("metadata.log"), replayed);
        ClusterController c = new ClusterController(config, ml, new Random());
        synchronized (c) {
            for (List<ApiMessage> batch : replayed) {
                for (ApiMessage m : batch) {
                    try {
                        c.apply(m);
                    } catch (RuntimeException e) {
                        log.warn("Metadata record {} skipped at replay: {}", m, e.toString());
                    }
                }
            }
            // whoever was alive when the cluster stopped registers again when it starts
            c.live.clear();
            c.image = c.buildImage();
        }
        return c;
    }

    /** A controller that keeps its metadata in memory only (the in-memory cluster). */
    public static ClusterController inMemory(BrokerConfig config) {
        ClusterController c = new ClusterController(config, null, new Random());
        synchronized (c) {
            c.image = c.buildImage();
        }
        return c;
    }

    /** Seeds placement's start index, so tests see one assignment. */
    public synchronized void seedPlacement(long seed) {
        random.setSeed(seed);
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public synchronized void subscribe(int brokerId, Consumer<MetadataImage> listener) {
        subscribers.put(brokerId, listener);
        listener.accept(image);
    }

    @Override
    public synchronized void unsubscribe(int brokerId) {
        subscribers.remove(brokerId);
    }

    // ---- brokers

    @Override
    public synchronized void register(BrokerEndpoint endpoint) {
        int id = endpoint.id();
        List<ApiMessage> records = new ArrayList<>();
        long epoch = brokerEpochs.getOrDefault(id, -1L) + 1;
        if (!endpoint.equals(registered.get(id)) || !live.contains(id)) {
            records.add(new RegisterBrokerRecordData()
                    .setBrokerId(id)
                    .setIncarnationId(Uuid.random())
                    .setBrokerEpoch(epoch)
                    .setEndPoints(new ArrayList<>(List.of(new RegisterBrokerRecordData.BrokerEndpoint()
                            .setName("PLAINTEXT")
                            .setHost(endpoint.host())
                            .setPort(endpoint.port())
                            .setSecurityProtocol((short) 0))))
                    .setRack(endpoint.rack())
                    .setFenced(true));
            records.add(new UnfenceBrokerRecordData().setId(id).setEpoch(epoch));
        }
        // a returning ISR member leads the partitions left without a leader; with unclean election on, a
        // returning replica leads a partition whose whole ISR is gone
        for (TopicImage t : topics.values()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionRegistration r = t.partitions().get(p);
                if (r.hasLeader() || !r.replicas().contains(id)) continue;
                if (r.isr().contains(id)) {
                    records.add(change(t, p).setLeader(id));
                } else if (unclean(t)) {
                    records.add(change(t, p).setLeader(id).setIsr(new ArrayList<>(List.of(id))));
                }
            }
        }
        commit(records);
    }

    @Override
    public synchronized void fence(int brokerId) {
        if (!live.contains(brokerId)) return;
        Set<Integer> after = new HashSet<>(live);
        after.remove(brokerId);
        List<ApiMessage> records = new ArrayList<>();
        for (TopicImage t : topics.values()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionRegistration r = t.partitions().get(p);
                if (!r.replicas().contains(brokerId)) continue;
                boolean inIsr = r.isr().contains(brokerId);
                if (r.leader() != brokerId && !inIsr) continue;
                List<Integer> isr = new ArrayList<>(r.isr());
                if (isr.size() > 1) isr.remove(Integer.valueOf(brokerId));
                PartitionChangeRecordData c = change(t, p);
                if (!isr.equals(r.isr())) c.setIsr(isr);
                if (r.leader() == brokerId) {
                    int leader = firstAlive(r.replicas(), isr, after);
                    if (leader == PartitionRegistration.NO_LEADER && unclean(t)) {
                        leader = firstAlive(r.replicas(), r.replicas(), after);
                        if (leader != PartitionRegistration.NO_LEADER) c.setIsr(new ArrayList<>(List.of(leader)));
                    }
                    c.setLeader(leader);
                }
                if (c.isr() != null || c.leader() != -2) records.add(c);
            }
        }
        records.add(new FenceBrokerRecordData().setId(brokerId).setEpoch(brokerEpochs.getOrDefault(brokerId, 0L)));
        commit(records);
    }

    @Override
    public synchronized void unregister(int brokerId) {
        BrokerEndpoint endpoint = registered.get(brokerId);
        if (endpoint == null)
            throw new ApiException(
                    Errors.BROKER_ID_NOT_REGISTERED, "Broker ID " + brokerId + " is not currently registered");
        boolean alive = live.contains(brokerId);
        fence(brokerId);
        commit(List.of(new UnregisterBrokerRecordData()
                .setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpochs.getOrDefault(brokerId, 0L))));
        if (alive) register(endpoint);
    }

    // ---- topics

    @Override
    public synchronized TopicImage createTopic(
            String name,
            int partitions,
            int replicationFactor,
            Map<Integer, List<Integer>> assignment,
            Map<String, String> configs) {
        try {
            TopicManager.validateName(name);
        } catch (InvalidTopicException e) {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (topics.containsKey(name))
            throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        List<List<Integer>> replicas;
        if (assignment != null && !assignment.isEmpty()) {
            if (assignment.size() > MAX_RECORDS_PER_OPERATION) throw tooMany(assignment.size());
            replicas = new ArrayList<>();
            for (int p = 0; p < assignment.size(); p++) {
                List<Integer> r = assignment.get(p);
                if (r == null)
                    throw new ApiException(
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            "Partitions should be a consecutive 0-based integer sequence, but partition " + p
                                    + " is missing.");
                replicas.add(r);
            }
            checkAssignment(replicas, replicas.get(0).size());
        } else {
            if (partitions <= 0)
                throw new ApiException(
                        Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.");
            if (partitions > MAX_RECORDS_PER_OPERATION) throw tooMany(partitions);
            int rf = replicationFactor == -1 ? defaultReplicationFactor() : replicationFactor;
            replicas = place(0, partitions, rf);
        }
        Uuid id = Uuid.random();
        List<ApiMessage> records = new ArrayList<>();
        records.add(new TopicRecordData().setName(name).setTopicId(id));
        configs.forEach((k, v) -> records.add(new ConfigRecordData()
                .setResourceType(TOPIC_RESOURCE)
                .setResourceName(name)
                .setName(k)
                .setValue(v)));
        for (int p = 0; p < replicas.size(); p++) records.add(newPartition(id, p, replicas.get(p)));
        if (records.size() > MAX_RECORDS_PER_OPERATION) throw tooMany(replicas.size());
        commit(records);
        return topics.get(name);
    }

    @Override
    public synchronized void deleteTopic(String name) {
        TopicImage t = topics.get(name);
        if (t == null)
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic.");
        commit(List.of(new RemoveTopicRecordData().setTopicId(t.id())));
    }

    @Override
    public synchronized TopicImage createPartitions(String name, int totalPartitions, List<List<Integer>> assignment) {
        TopicImage t = topics.get(name);
        if (t == null)
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic.");
        int current = t.partitions().size();
        if (totalPartitions < current)
            throw new ApiException(
                    Errors.INVALID_PARTITIONS,
                    "The topic " + name + " currently has " + current + " partition(s); " + totalPartitions
                            + " would not be an increase.");
        if (totalPartitions == current)
            throw new ApiException(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partition(s).");
        int adding = totalPartitions - current;
        if (adding > MAX_RECORDS_PER_OPERATION) throw tooMany(adding);
        int rf = t.partitions().isEmpty() ? 1 : t.partitions().get(0).replicas().size();
        List<List<Integer>> replicas;
        if (assignment != null) {
            if (assignment.size() != adding)
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Attempted to add " + adding + " additional partition(s), but only " + assignment.size()
                                + " assignment(s) were specified.");
            checkAssignment(assignment, rf);
            replicas = assignment;
        } else {
            replicas = place(current, adding, rf);
        }
        List<ApiMessage> records = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) records.add(newPartition(t.id(), current + i, replicas.get(i)));
        commit(records);
        return topics.get(name);
    }

    @Override
    public synchronized TopicImage alterTopicConfigs(String name, Map<String, String> configs) {
        TopicImage t = topics.get(name);
        if (t == null)
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic.");
        List<ApiMessage> records = new ArrayList<>();
        for (String k : t.configs().keySet()) if (!configs.containsKey(k)) records.add(configRecord(name, k, null));
        configs.forEach((k, v) -> {
            if (!v.equals(t.configs().get(k))) records.add(configRecord(name, k, v));
        });
        if (records.size() > MAX_RECORDS_PER_OPERATION) throw tooMany(records.size());
        commit(records);
        return topics.get(name);
    }

    @Override
    public synchronized void alterGroupConfigs(String group, Map<String, String> configs) {
        Map<String, String> current = groupConfigs.getOrDefault(group, Map.of());
        List<ApiMessage> records = new ArrayList<>();
        for (String k : current.keySet()) if (!configs.containsKey(k)) records.add(groupConfigRecord(group, k, null));
        configs.forEach((k, v) -> {
            if (!v.equals(current.get(k))) records.add(groupConfigRecord(group, k, v));
        });
        commit(records);
    }

    // ---- partitions

    @Override
    public synchronized PartitionRegistration alterPartition(
            int brokerId, TopicPartition partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr) {
        TopicImage t = topics.get(partition.topic());
        PartitionRegistration r = t == null ? null : t.partition(partition.partition());
        if (r == null) throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + partition);
        if (leaderEpoch < r.leaderEpoch())
            throw new ApiException(
                    Errors.FENCED_LEADER_EPOCH,
                    "Leader epoch " + leaderEpoch + " of " + partition + " is older than " + r.leaderEpoch());
        if (r.leader() != brokerId || leaderEpoch > r.leaderEpoch())
            throw new ApiException(
                    Errors.NOT_LEADER_OR_FOLLOWER,
                    "Broker " + brokerId + " does not lead " + partition + " at epoch " + leaderEpoch);
        if (partitionEpoch != r.partitionEpoch())
            throw new ApiException(
                    Errors.INVALID_UPDATE_VERSION,
                    "Partition epoch " + partitionEpoch + " of " + partition + " is not " + r.partitionEpoch());
        Set<Integer> distinct = new LinkedHashSet<>(newIsr);
        if (distinct.size() != newIsr.size() || !distinct.contains(brokerId))
            throw new ApiException(Errors.INVALID_REQUEST, "The new ISR " + newIsr + " must list the leader once");
        for (int b : newIsr)
            if (!r.replicas().contains(b) || !live.contains(b))
                throw new ApiException(
                        Errors.INELIGIBLE_REPLICA,
                        "Broker " + b + " is not an alive replica of " + partition + " and cannot join its ISR");
        if (!newIsr.equals(r.isr()))
            commit(List.of(change(t, partition.partition()).setIsr(new ArrayList<>(newIsr))));
        return topics.get(partition.topic()).partition(partition.partition());
    }

    @Override
    public synchronized Map<TopicPartition, Errors> electLeaders(boolean unclean, List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        List<ApiMessage> records = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            TopicImage t = topics.get(tp.topic());
            PartitionRegistration r = t == null ? null : t.partition(tp.partition());
            if (r == null) {
                result.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            if (!unclean) {
                int preferred = r.preferredLeader();
                if (r.leader() == preferred) result.put(tp, Errors.ELECTION_NOT_NEEDED);
                else if (!live.contains(preferred) || !r.isr().contains(preferred))
                    result.put(tp, Errors.PREFERRED_LEADER_NOT_AVAILABLE);
                else {
                    records.add(change(t, tp.partition()).setLeader(preferred));
                    result.put(tp, Errors.NONE);
                }
            } else {
                if (r.hasLeader()) {
                    result.put(tp, Errors.ELECTION_NOT_NEEDED);
                    continue;
                }
                int leader = firstAlive(r.replicas(), r.isr(), live);
                PartitionChangeRecordData c = change(t, tp.partition());
                if (leader == PartitionRegistration.NO_LEADER) {
                    leader = firstAlive(r.replicas(), r.replicas(), live);
                    c.setIsr(new ArrayList<>(List.of(leader)));
                }
                if (leader == PartitionRegistration.NO_LEADER) {
                    result.put(tp, Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
                    continue;
                }
                records.add(c.setLeader(leader));
                result.put(tp, Errors.NONE);
            }
        }
        if (records.size() > MAX_RECORDS_PER_OPERATION) throw tooMany(records.size());
        commit(records);
        return result;
    }

    /** For tests: moves a partition's leadership to {@code brokerId}, an alive member of its ISR. */
    public synchronized PartitionRegistration moveLeader(TopicPartition partition, int brokerId) {
        TopicImage t = topics.get(partition.topic());
        PartitionRegistration r = t == null ? null : t.partition(partition.partition());
        if (r == null) throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + partition);
        if (!r.isr().contains(brokerId) || !live.contains(brokerId))
            throw new ApiException(
                    Errors.INELIGIBLE_REPLICA,
                    "Broker " + brokerId + " is not an alive in-sync replica of " + partition);
        if (r.leader() != brokerId)
            commit(List.of(change(t, partition.partition()).setLeader(brokerId)));
        return topics.get(partition.topic()).partition(partition.partition());
    }

    /** The topics' partitions, for an ElectLeaders naming none (all partitions). */
    public List<TopicPartition> allPartitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (TopicImage t : image.topics().values())
            for (int p = 0; p < t.partitions().size(); p++) all.add(new TopicPartition(t.name(), p));
        return all;
    }

    // ---- decisions

    private int defaultReplicationFactor() {
        String v = config.get("default.replication.factor");
        try {
            return v == null ? 1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private boolean unclean(TopicImage t) {
        String v = t.configs().get(UNCLEAN);
        if (v == null) v = config.get(UNCLEAN);
        return v != null && Boolean.parseBoolean(v.trim());
    }

    /**
     * Kafka's round-robin placement: partition p's first replica is the (start + p)-th live broker; followers
     * come after it with a shift that grows each time the partitions have gone round the brokers once.
     */
    private List<List<Integer>> place(int firstPartition, int count, int rf) {
        List<Integer> brokers = new ArrayList<>(live);
        int n = brokers.size();
        if (rf <= 0)
            throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
        if (rf > n)
            throw new ApiException(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "Unable to replicate the partition " + rf + " time(s): The target replication factor of " + rf
                            + " cannot be reached because only " + n + " broker(s) are registered.");
        int start = random.nextInt(n);
        int shift = random.nextInt(n);
        List<List<Integer>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = firstPartition + i;
            if (p > 0 && p % n == 0) shift++;
            int first = (start + p) % n;
            List<Integer> r = new ArrayList<>(rf);
            r.add(brokers.get(first));
            for (int j = 0; j < rf - 1; j++) {
                int gap = 1 + (shift + j) % (n - 1);
                r.add(brokers.get((first + gap) % n));
            }
            out.add(r);
        }
        return out;
    }

    private void checkAssignment(List<List<Integer>> assignment, int rf) {
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> r = assignment.get(p);
            if (r == null || r.isEmpty())
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes an empty replica list.");
            if (r.size() != rf)
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes a partition with " + r.size()
                                + " replica(s), but this is not consistent with previous partitions, which have "
                                + rf + " replica(s).");
            if (new HashSet<>(r).size() != r.size())
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes the broker " + duplicate(r) + " more than once.");
            for (int b : r)
                if (!registered.containsKey(b))
                    throw new ApiException(
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            "The manual partition assignment includes broker " + b
                                    + ", but no such broker is registered.");
            if (r.stream().noneMatch(live::contains))
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "All brokers specified in the manual partition assignment for partition " + p
                                + " are fenced or in controlled shutdown.");
        }
    }

    private static int duplicate(List<Integer> r) {
        Set<Integer> seen = new HashSet<>();
        for (int b : r) if (!seen.add(b)) return b;
        return -1;
    }

    private PartitionRecordData newPartition(Uuid topicId, int p, List<Integer> replicas) {
        List<Integer> isr = replicas.stream().filter(live::contains).toList();
        return new PartitionRecordData()
                .setPartitionId(p)
                .setTopicId(topicId)
                .setReplicas(new ArrayList<>(replicas))
                .setIsr(new ArrayList<>(isr))
                .setLeader(isr.isEmpty() ? PartitionRegistration.NO_LEADER : isr.get(0))
                .setLeaderEpoch(0)
                .setPartitionEpoch(0);
    }

    private static PartitionChangeRecordData change(TopicImage t, int p) {
        return new PartitionChangeRecordData().setTopicId(t.id()).setPartitionId(p);
    }

    private static ConfigRecordData configRecord(String topic, String key, String value) {
        return new ConfigRecordData()
                .setResourceType(TOPIC_RESOURCE)
                .setResourceName(topic)
                .setName(key)
                .setValue(value);
    }

    private static ConfigRecordData groupConfigRecord(String group, String key, String value) {
        return new ConfigRecordData()
                .setResourceType(GROUP_RESOURCE)
                .setResourceName(group)
                .setName(key)
                .setValue(value);
    }

    /** The first replica (in assignment order) that is in {@code candidates} and alive, or -1. */
    private static int firstAlive(List<Integer> replicas, List<Integer> candidates, Set<Integer> alive) {
        for (int b : replicas) if (candidates.contains(b) && alive.contains(b)) return b;
        return PartitionRegistration.NO_LEADER;
    }

    private static ApiException tooMany(int n) {
        return new ApiException(
                Errors.POLICY_VIOLATION,
                "One operation may create at most " + MAX_RECORDS_PER_OPERATION + " metadata records (" + n
                        + " partitions asked for)");
    }

    // ---- write, apply, publish

    /** Writes the records (nothing when empty), applies them as replay does, and publishes the new image. */
    private void commit(List<ApiMessage> records) {
        if (records.isEmpty()) return;
        if (records.size() > MAX_RECORDS_PER_OPERATION) throw tooMany(records.size());
        if (metadataLog != null) {
            try {
                metadataLog.append(records);
            } catch (RuntimeException e) {
                throw new ApiException(
                        Errors.KAFKA_STORAGE_ERROR, "Cannot write the metadata log: " + e.getMessage(), e);
            }
        }
        for (ApiMessage m : records) apply(m);
        image = buildImage();
        for (Map.Entry<Integer, Consumer<MetadataImage>> s : subscribers.entrySet()) {
            try {
                s.getValue().accept(image);
            } catch (RuntimeException e) {
                log.warn("Broker {} failed to take metadata image {}: {}", s.getKey(), image.offset(), e.toString());
            }
        }
    }

    /** Applies one record to the state: the one path of both replay at start and live changes. */
    private void apply(ApiMessage m) {
        offset++;
        if (m instanceof RegisterBrokerRecordData r) {
            var ep = r.endPoints().isEmpty() ? null : r.endPoints().get(0);
            registered.put(
                    r.brokerId(),
                    new BrokerEndpoint(
                            r.brokerId(), ep == null ? "" : ep.host(), ep == null ? 0 : ep.port(), r.rack()));
            brokerEpochs.put(r.brokerId(), r.brokerEpoch());
            if (r.fenced()) live.remove(r.brokerId());
            else live.add(r.brokerId());
        } else if (m instanceof UnfenceBrokerRecordData u) {
            if (registered.containsKey(u.id())) live.add(u.id());
        } else if (m instanceof FenceBrokerRecordData f) {
            live.remove(f.id());
        } else if (m instanceof UnregisterBrokerRecordData u) {
            registered.remove(u.brokerId());
            live.remove(u.brokerId());
        } else if (m instanceof TopicRecordData t) {
            topics.put(t.name(), new TopicImage(t.name(), t.topicId(), Map.of(), List.of()));
            names.put(t.topicId(), t.name());
        } else if (m instanceof ConfigRecordData c && c.resourceType() == GROUP_RESOURCE) {
            // as Kafka's group config manager: a group stays known once configured, even with no keys left
            Map<String, String> keys = new TreeMap<>(groupConfigs.getOrDefault(c.resourceName(), Map.of()));
            if (c.value() == null) keys.remove(c.name());
            else keys.put(c.name(), c.value());
            groupConfigs.put(c.resourceName(), Map.copyOf(keys));
        } else if (m instanceof ConfigRecordData c) {
            if (c.resourceType() != TOPIC_RESOURCE) return;
            TopicImage t = topics.get(c.resourceName());
            if (t == null) throw new IllegalStateException("config of unknown topic " + c.resourceName());
            Map<String, String> configs = new TreeMap<>(t.configs());
            if (c.value() == null) configs.remove(c.name());
            else configs.put(c.name(), c.value());
            topics.put(t.name(), new TopicImage(t.name(), t.id(), configs, t.partitions()));
        } else if (m instanceof PartitionRecordData p) {
            TopicImage t = topicOf(p.topicId());
            List<PartitionRegistration> parts = new ArrayList<>(t.partitions());
            PartitionRegistration reg =
                    new PartitionRegistration(p.replicas(), p.isr(), p.leader(), p.leaderEpoch(), p.partitionEpoch());
            if (p.partitionId() == parts.size()) parts.add(reg);
            else if (p.partitionId() >= 0 && p.partitionId() < parts.size()) parts.set(p.partitionId(), reg);
            else throw new IllegalStateException("partition " + p.partitionId() + " out of order in " + t.name());
            topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
        } else if (m instanceof PartitionChangeRecordData c) {
            TopicImage t = topicOf(c.topicId());
            PartitionRegistration r = t.partition(c.partitionId());
            if (r == null) throw new IllegalStateException("change of unknown partition " + c.partitionId());
            boolean leaderChanged = c.leader() != -2 && c.leader() != r.leader();
            PartitionRegistration next = new PartitionRegistration(
                    c.replicas() != null ? c.replicas() : r.replicas(),
                    c.isr() != null ? c.isr() : r.isr(),
                    c.leader() != -2 ? c.leader() : r.leader(),
                    leaderChanged ? r.leaderEpoch() + 1 : r.leaderEpoch(),
                    r.partitionEpoch() + 1);
            List<PartitionRegistration> parts = new ArrayList<>(t.partitions());
            parts.set(c.partitionId(), next);
            topics.put(t.name(), new TopicImage(t.name(), t.id(), t.configs(), parts));
        } else if (m instanceof RemoveTopicRecordData r) {
            String name = names.remove(r.topicId());
            if (name != null) topics.remove(name);
        }
    }

    private TopicImage topicOf(Uuid id) {
        String name = names.get(id);
        TopicImage t = name == null ? null : topics.get(name);
        if (t == null) throw new IllegalStateException("unknown topic id " + id);
        return t;
    }

    private MetadataImage buildImage() {
        int controllerId = live.isEmpty() ? -1 : live.iterator().next();
        return new MetadataImage(offset, controllerId, registered, live, topics, groupConfigs);
    }

    @Override
    public synchronized void close() {
        subscribers.clear();
        if (metadataLog != null) metadataLog.close();
    }
}
