package dev.skiff.broker;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfig;
import dev.skiff.config.TopicConfigDef;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The topics this broker leads: created explicitly, at start, or on first use; saved so they come back
 * after a restart with the same id, partition count and configs.
 */
public final class TopicManager implements AutoCloseable {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final int MAX_NAME_LENGTH = 249;

    /** Told about topics appearing and disappearing (the ZooKeeper bridge mirrors them). */
    public interface Listener {
        void topicCreated(Topic topic);

        void topicDeleted(Topic topic);
    }

    private final BrokerConfig config;
    private final LogFactory logs;
    private final Map<String, Topic> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, Topic> byId = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Partitions of all topics, for the bound on auto-creation. */
    private volatile int partitionCount;

    private volatile boolean clusterMember;
    /** The thread of {@link #offload}, started on first use; null until then. */
    private ExecutorService adminThread;

    private boolean closed;

    public TopicManager(BrokerConfig config, LogFactory logs) {
        this.config = config;
        this.logs = logs;
        logs.loadTopics().forEach((name, p) -> {
            Map<String, String> configs = new LinkedHashMap<>();
            p.stringPropertyNames().stream()
                    .filter(k -> k.startsWith("config."))
                    .forEach(k -> configs.put(k.substring(7), p.getProperty(k)));
            open(name, Uuid.fromString(p.getProperty("id")), Integer.parseInt(p.getProperty("partitions")), configs);
        });
    }

    public Topic get(String name) {
        return name == null ? null : byName.get(name);
    }

    public Topic get(Uuid id) {
        return byId.get(id);
    }

    public Partition partition(String topic, int index) {
        Topic t = byName.get(topic);
        return t == null ? null : t.partition(index);
    }

    public Collection<Topic> all() {
        return byName.values();
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** Throws {@link InvalidTopicException} for a name Kafka rejects. */
    public static void validateName(String name) {
        if (name == null || name.isEmpty()) throw new InvalidTopicException("Topic name is empty");
        if (name.equals(".") || name.equals("..")) throw new InvalidTopicException("Topic name cannot be . or ..");
        if (name.length() > MAX_NAME_LENGTH)
            throw new InvalidTopicException("Topic name is longer than 249 characters");
        if (!LEGAL.matcher(name).matches())
            throw new InvalidTopicException(
                    "Topic name " + name + " has characters other than ASCII alphanumerics, '.', '_' and '-'");
    }

    /**
     * Creates a topic, or returns null if one of that name exists. The topic exists (is served, listed, told to
     * listeners) only once its partition directories and its description are on disk; if any of that fails,
     * what was made is removed and an {@link ApiException} says why (KAFKA_STORAGE_ERROR).
     */
    public synchronized Topic create(String name, int partitions, Map<String, String> configs) {
        return create(name, Uuid.random(), partitions, configs);
    }

    /** As {@link #create(String, int, Map)} with the id the cluster's controller gave the topic. */
    public synchronized Topic create(String name, Uuid id, int partitions, Map<String, String> configs) {
        validateName(name);
        if (partitions <= 0) throw new IllegalArgumentException("Number of partitions must be larger than 0");
        if (byName.containsKey(name)) return null;
        checkDirectoryNames(name, partitions);
        return createOne(new Planned(name, id, partitions, Map.copyOf(configs)));
    }

    /** A topic asked for in {@link #createAll}: its name, partition count and the configs set on it. */
    public record NewTopic(String name, int partitions, Map<String, String> configs) {}

    /** What {@link #createAll} did for one topic: the topic created, or why not. */
    public record Outcome(Topic topic, ApiException error) {}

    /**
     * Creates topics as {@link #create(String, int, Map)} does, with the disk work of the whole batch done once:
     * one sync of the data dir for all the partition directories and one save of all the descriptions (one sync of
     * the topics directory). Each topic is checked on its own (INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
     * TOPIC_ALREADY_EXISTS, INVALID_REQUEST for a name given twice); one whose partitions cannot be made fails
     * alone; if the descriptions cannot be saved, every topic of the batch fails with KAFKA_STORAGE_ERROR and
     * nothing of them is left. The outcomes are in the order asked.
     */
    public synchronized List<Outcome> createAll(List<NewTopic> wanted) {
        Outcome[] out = new Outcome[wanted.size()];
        List<Planned> planned = new ArrayList<>(wanted.size());
        List<Integer> at = new ArrayList<>(wanted.size());
        Map<String, Integer> seen = new HashMap<>();
        for (NewTopic t : wanted) seen.merge(t.name(), 1, Integer::sum);
        for (int i = 0; i < wanted.size(); i++) {
            NewTopic t = wanted.get(i);
            try {
                try {
                    validateName(t.name());
                } catch (InvalidTopicException e) {
                    throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
                }
                if (seen.get(t.name()) > 1) throw new ApiException(Errors.INVALID_REQUEST, "Duplicate topic name.");
                if (t.partitions() <= 0)
                    throw new ApiException(Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0");
                if (byName.containsKey(t.name()))
                    throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + t.name() + "' already exists.");
                checkDirectoryNames(t.name(), t.partitions());
                planned.add(new Planned(t.name(), Uuid.random(), t.partitions(), Map.copyOf(t.configs())));
                at.add(i);
            } catch (ApiException e) {
                out[i] = new Outcome(null, e);
            }
        }
        List<Outcome> made = make(planned);
        for (int j = 0; j < made.size(); j++) out[at.get(j)] = made.get(j);
        return List.of(out);
    }

    /** A topic checked for creation: a legal name not in use, partitions > 0 whose directory names fit. */
    private record Planned(String name, Uuid id, int partitions, Map<String, String> configs) {}

    private Topic createOne(Planned planned) {
        Outcome o = make(List.of(planned)).get(0);
        if (o.error() != null) throw o.error();
        return o.topic();
    }

    /**
     * Makes checked topics: every topic's partition directories, ONE sync of the data dir, then every description
     * saved at once; only then are the topics served, listed and told to listeners. A topic whose partitions
     * cannot be made fails alone (what it made is removed); when the sync or the save fails, all fail and every
     * partition made is removed. Outcomes in the order planned.
     */
    private List<Outcome> make(List<Planned> planned) {
        Outcome[] out = new Outcome[planned.size()];
        List<Topic> fresh = new ArrayList<>(planned.size());
        List<Integer> at = new ArrayList<>(planned.size());
        for (int i = 0; i < planned.size(); i++) {
            Planned p = planned.get(i);
            try {
                List<Partition> parts = createPartitions(p.name(), 0, p.partitions(), logConfig(p.configs()));
                fresh.add(new Topic(
                        p.name(),
                        p.id(),
                        List.copyOf(parts),
                        p.configs(),
                        p.name().startsWith("__"),
                        appendRules(p.configs())));
                at.add(i);
            } catch (ApiException e) {
                out[i] = new Outcome(null, e);
            }
        }
        if (fresh.isEmpty()) return List.of(out);
        try {
            logs.syncCreated();
            Map<String, Properties> descriptions = new LinkedHashMap<>();
            for (Topic t : fresh) descriptions.put(t.name(), description(t));
            logs.saveTopics(descriptions);
        } catch (RuntimeException e) {
            for (int j = 0; j < fresh.size(); j++) {
                Topic t = fresh.get(j);
                discard(t.partitions());
                out[at.get(j)] = new Outcome(
                        null,
                        new ApiException(
                                Errors.KAFKA_STORAGE_ERROR,
                                "Cannot save topic " + t.name() + ": " + e.getMessage(),
                                e));
            }
            return List.of(out);
        }
        for (int j = 0; j < fresh.size(); j++) {
            Topic t = fresh.get(j);
            register(t, t.partitions().size());
            out[at.get(j)] = new Outcome(t, null);
        }
        for (Topic t : fresh) for (Listener l : listeners) l.topicCreated(t);
        return List.of(out);
    }

    /**
     * Creates this broker's replica of a topic the cluster's controller created, with the controller's topic
     * id (replica fetches by id must find it on every broker); returns the existing topic if there is one.
     */
    public synchronized Topic createReplica(String name, Uuid id, int partitions, Map<String, String> configs) {
        Topic existing = byName.get(name);
        if (existing != null) return existing;
        validateName(name);
        if (partitions <= 0) throw new IllegalArgumentException("Number of partitions must be larger than 0");
        checkDirectoryNames(name, partitions);
        return createOne(new Planned(name, id, partitions, Map.copyOf(configs)));
    }

    /** The topic, created with the broker defaults if auto-creation is on; null otherwise. */
    public Topic getOrAutoCreate(String name) {
        return autoCreation().getOrCreate(name);
    }

    /** Auto-creation for one request, which counts the topics it creates against the per-request bound. */
    public AutoCreation autoCreation() {
        return new AutoCreation();
    }

    /**
     * Creates topics on first use within two bounds (Kafka has neither; without them one request naming
     * thousands of new topics created them all): {@code skiff.auto.create.topics.per.request.max} new topics per
     * request, past which THROTTLING_QUOTA_EXCEEDED (retriable: a later request may create them), and
     * {@code skiff.auto.create.partitions.max} partitions in the broker, past which POLICY_VIOLATION.
     */
    public final class AutoCreation {
        private int created;

        private AutoCreation() {}

        /** The topic, created if auto-creation is on and within bounds; null when auto-creation is off. */
        public Topic getOrCreate(String name) {
            Topic t = byName.get(name);
            if (t != null || !config.autoCreateTopics) return t;
            synchronized (TopicManager.this) {
                t = byName.get(name);
                if (t != null) return t;
                if (created >= config.autoCreateTopicsPerRequestMax)
                    throw new ApiException(
                            Errors.THROTTLING_QUOTA_EXCEEDED,
                            "A request may auto-create at most " + config.autoCreateTopicsPerRequestMax
                                    + " topics (skiff.auto.create.topics.per.request.max)");
                if (partitionCount + config.numPartitions > config.autoCreatePartitionsMax)
                    throw new ApiException(
                            Errors.POLICY_VIOLATION,
                            "Auto-creation stops at " + config.autoCreatePartitionsMax
                                    + " partitions (skiff.auto.create.partitions.max)");
                t = create(name, config.numPartitions, Map.of());
                created++;
                return t;
            }
        }
    }

    /** An internal topic (offsets, transactions), created on first use and hidden from auto-creation rules. */
    public synchronized Topic getOrCreateInternal(String name, int partitions, Map<String, String> configs) {
        Topic t = byName.get(name);
        return t != null ? t : create(name, partitions, configs);
    }

    public synchronized boolean delete(String name) {
        Topic t = byName.remove(name);
        if (t == null) return false;
        byId.remove(t.id());
        partitionCount -= t.partitions().size();
        logs.deleteTopic(name);
        for (Partition p : t.partitions()) p.deleteLog();
        for (Listener l : listeners) l.topicDeleted(t);
        return true;
    }

    /** Grows a topic to {@code count} partitions. */
    public synchronized Topic addPartitions(String name, int count) {
        Topic t = byName.get(name);
        if (t == null) return null;
        if (count <= t.partitions().size())
            throw new IllegalArgumentException("Topic currently has "
                    + t.partitions().size() + " partitions, which is higher than the requested " + count + ".");
        checkDirectoryNames(name, count);
        List<Partition> added = createPartitions(name, t.partitions().size(), count, logConfig(t.configs()));
        try {
            logs.syncCreated();
        } catch (RuntimeException e) {
            discard(added);
            throw new ApiException(
                    Errors.KAFKA_STORAGE_ERROR, "Cannot create partitions of topic " + name + ": " + e.getMessage(), e);
        }
        List<Partition> parts = new ArrayList<>(t.partitions());
        parts.addAll(added);
        Topic grown = new Topic(name, t.id(), List.copyOf(parts), t.configs(), t.internal(), t.appendRules());
        saveOrDiscard(grown, added);
        register(grown, added.size());
        for (Listener l : listeners) l.topicCreated(grown);
        return grown;
    }

    /** Replaces the configs set on a topic (those not given fall back to broker defaults). */
    public synchronized Topic setConfigs(String name, Map<String, String> configs) {
        Topic t = byName.get(name);
        if (t == null) return null;
        Map<String, String> set = Map.copyOf(configs);
        Topic changed = new Topic(name, t.id(), t.partitions(), set, t.internal(), appendRules(set));
        byName.put(name, changed);
        byId.put(changed.id(), changed);
        save(changed);
        // the logs were opened with the old values: segment size/age and retention must follow the change
        LogConfig lc = logConfig(changed.configs());
        for (Partition p : changed.partitions()) p.log().reconfigure(lc);
        return changed;
    }

    /** The value in force for a topic config: set on the topic, else the broker default. */
    public String effectiveConfig(Topic t, String key) {
        return inForce(t.configs(), key);
    }

    private String inForce(Map<String, String> set, String key) {
        String v = set.get(key);
        if (v != null) return v;
        TopicConfigDef def = TopicConfigDef.get(key);
        return def != null ? def.defaultFor(config) : null;
    }

    private Topic.AppendRules appendRules(Map<String, String> set) {
        return new Topic.AppendRules(
                Integer.parseInt(inForce(set, TopicConfig.MAX_MESSAGE_BYTES)),
                "LogAppendTime".equals(inForce(set, TopicConfig.MESSAGE_TIMESTAMP_TYPE)),
                TopicConfigDef.listItems(inForce(set, TopicConfig.CLEANUP_POLICY))
                        .contains("compact"),
                Long.parseLong(inForce(set, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS)),
                Long.parseLong(inForce(set, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS)));
    }

    public LogConfig logConfig(Map<String, String> topicConfigs) {
        Map<String, String> eff = new LinkedHashMap<>(TopicConfig.defaults(config));
        eff.putAll(topicConfigs);
        boolean delete =
                TopicConfigDef.listItems(eff.get(TopicConfig.CLEANUP_POLICY)).contains("delete");
        return LogConfig.defaults()
                .withSegmentBytes(Integer.parseInt(eff.get(TopicConfig.SEGMENT_BYTES)))
                .withSegmentMs(Long.parseLong(eff.get(TopicConfig.SEGMENT_MS)))
                // compact-only topics keep everything that compaction keeps: no time or size retention
                .withRetentionBytes(delete ? Long.parseLong(eff.get(TopicConfig.RETENTION_BYTES)) : -1)
                .withRetentionMs(delete ? Long.parseLong(eff.get(TopicConfig.RETENTION_MS)) : -1)
                .withIndexIntervalBytes(config.indexIntervalBytes)
                .withFlushIntervalMessages(Long.parseLong(eff.get(TopicConfig.FLUSH_MESSAGES)));
    }

    private Topic open(String name, Uuid id, int partitions, Map<String, String> configs) {
        LogConfig lc = logConfig(configs);
        List<Partition> parts = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) parts.add(openPartition(name, i, lc));
        Map<String, String> set = Map.copyOf(configs);
        Topic t = new Topic(name, id, List.copyOf(parts), set, name.startsWith("__"), appendRules(set));
        register(t, partitions);
        return t;
    }

    private void register(Topic t, int newPartitions) {
        byName.put(t.name(), t);
        byId.put(t.id(), t);
        partitionCount += newPartitions;
    }

    /**
     * Kafka's 249 characters leave room for {@code <topic>-<partition>} in a 255-byte file name up to partition
     * 99999; past that the directory cannot exist, so the creation is refused before anything is made.
     */
    private void checkDirectoryNames(String topic, int partitions) {
        if (!logs.persistent()) return;
        String last = topic + "-" + (partitions - 1);
        if (last.getBytes(StandardCharsets.UTF_8).length > LogFactory.MAX_FILE_NAME_BYTES)
            throw new ApiException(
                    Errors.INVALID_PARTITIONS,
                    "The directory of partition " + (partitions - 1) + " of topic " + topic
                            + " would have a name longer than " + LogFactory.MAX_FILE_NAME_BYTES + " bytes");
    }

    /**
     * New partitions, whose logs are made on first use ({@link LogFactory#createLater}); what was in the way is
     * removed now (the data dir synced by the caller, once for many). On any failure those already prepared are
     * removed again.
     */
    private List<Partition> createPartitions(String topic, int from, int to, LogConfig lc) {
        List<Partition> made = new ArrayList<>(to - from);
        try {
            for (int i = from; i < to; i++) {
                TopicPartition tp = new TopicPartition(topic, i);
                Supplier<Log> later = logs.createLater(tp, lc);
                made.add(newPartition(tp, later));
            }
            return made;
        } catch (RuntimeException e) {
            discard(made);
            throw new ApiException(
                    Errors.KAFKA_STORAGE_ERROR,
                    "Cannot create partition " + (from + made.size()) + " of topic " + topic + ": " + e.getMessage(),
                    e);
        }
    }

    private void saveOrDiscard(Topic t, List<Partition> fresh) {
        try {
            save(t);
        } catch (RuntimeException e) {
            discard(fresh);
            throw new ApiException(
                    Errors.KAFKA_STORAGE_ERROR, "Cannot save topic " + t.name() + ": " + e.getMessage(), e);
        }
    }

    private static void discard(List<Partition> partitions) {
        for (Partition p : partitions) {
            try {
                p.deleteLog();
            } catch (RuntimeException ignored) {
                // an unfinished creation's leftovers are removed when the name is next created
            }
        }
    }

    private Partition openPartition(String topic, int index, LogConfig lc) {
        TopicPartition tp = new TopicPartition(topic, index);
        return newPartition(tp, logs.openLater(tp, lc));
    }

    private Partition newPartition(TopicPartition tp, Supplier<Log> later) {
        Partition p = later instanceof LogFactory.Made m ? new Partition(tp, m.log()) : new Partition(tp, later);
        if (clusterMember && !InternalTopics.isBrokerLocal(tp.topic())) p.awaitRole();
        return p;
    }

    /**
     * This broker is one of a cluster: from now on each of its partitions leads nothing until the metadata
     * gives it a role, but those of the topics it keeps for itself ({@link InternalTopics#isBrokerLocal}),
     * which no metadata assigns. Called before the coordinators are made, so that what they replay at start
     * cannot write.
     */
    public void becomeClusterMember() {
        clusterMember = true;
        for (Topic t : byName.values()) {
            if (InternalTopics.isBrokerLocal(t.name())) continue;
            for (Partition p : t.partitions()) p.awaitRole();
        }
    }

    /** Whether this broker is one of a cluster ({@link #becomeClusterMember}). */
    public boolean isClusterMember() {
        return clusterMember;
    }

    private void save(Topic t) {
        logs.saveTopic(t.name(), description(t));
    }

    private static Properties description(Topic t) {
        Properties p = new Properties();
        p.setProperty("id", t.id().toString());
        p.setProperty("partitions", Integer.toString(t.partitions().size()));
        t.configs().forEach((k, v) -> p.setProperty("config." + k, v));
        return p;
    }

    /** Applies retention to every log; returns segments removed. */
    public int applyRetention(long nowMs) {
        int removed = 0;
        for (Topic t : byName.values())
            for (Partition p : t.partitions()) {
                Log log = p.logIfMade(); // a log never used has nothing to remove
                if (log != null) removed += log.applyRetention(nowMs);
            }
        return removed;
    }

    /**
     * Runs topic work that blocks on the disk (creating or deleting partition files, fsyncs) on this manager's own
     * thread, so a request that creates thousands of partitions does not stall the connections of the I/O thread
     * it came in on. Requests run one after another, in the order submitted. In memory the work runs at once.
     */
    public <T> CompletableFuture<T> offload(Supplier<T> work) {
        if (!logs.persistent()) return CompletableFuture.completedFuture(work.get());
        ExecutorService thread;
        synchronized (this) {
            if (closed) return CompletableFuture.failedFuture(new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Closing"));
            if (adminThread == null)
                adminThread = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "skiff-topic-admin");
                    t.setDaemon(true);
                    return t;
                });
            thread = adminThread;
        }
        try {
            return CompletableFuture.supplyAsync(work, thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Closing"));
        }
    }

    public void flushAll() {
        for (Topic t : byName.values())
            for (Partition p : t.partitions()) {
                Log log = p.logIfMade();
                if (log != null) log.flush();
            }
    }

    @Override
    public void close() {
        ExecutorService thread;
        synchronized (this) {
            closed = true;
            thread = adminThread;
        }
        if (thread != null) {
            // work already running finishes (its files stay consistent); work not yet started is dropped
            thread.shutdownNow();
            try {
                thread.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeTopics();
    }

    private synchronized void closeTopics() {
        // a log whose close fails is recovered on its next open; the others still close (and write their
        // snapshots and clean-shutdown markers) before the first failure is reported
        RuntimeException failure = null;
        for (Topic t : byName.values()) {
            for (Partition p : t.partitions()) {
                try {
                    p.close();
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                    else failure.addSuppressed(e);
                }
            }
        }
        logs.closed();
        byName.clear();
        byId.clear();
        partitionCount = 0;
        if (failure != null) throw failure;
    }
}
