package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.records.Header;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import dev.skiff.server.control.ControlHandle;
import dev.skiff.server.control.Controls;
import dev.skiff.server.control.RequestControl;
import dev.skiff.server.faults.FaultInjector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

/**
 * A Skiff broker running inside this JVM, for tests and applications that embed it.
 *
 * <pre>{@code
 * try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 3).start()) {
 *     props.put("bootstrap.servers", broker.bootstrapServers());
 * }
 * }</pre>
 *
 * Its state is read and changed through a small, stable facade: topics ({@link #createTopic}, {@link #topics},
 * {@link #partitions}), records ({@link #recordCount}, {@link #awaitRecords}, {@link #records}), offsets
 * ({@link #committedOffsets}, {@link #logStartOffset}, {@link #logEndOffset}), and one hook on the requests
 * themselves, {@link #control}, which sees each decoded request of an API and may keep, drop, delay or answer
 * it. The broker inside is not part of the API.
 */
public final class EmbeddedSkiff implements AutoCloseable {

    /** Options for an embedded broker; every one has a default that suits a test. */
    public static final class Builder {
        String host = "127.0.0.1";
        int port = 0;
        Path dataDir;
        boolean inMemory;
        final Map<String, Integer> topics = new LinkedHashMap<>();
        final Map<String, String> properties = new LinkedHashMap<>();

        public Builder host(String host) {
            this.host = host;
            return this;
        }
        /** Port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }
        /** Directory of the logs; by default a fresh temporary directory that close() deletes. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }
        /** Keep logs in memory only: no files at all. */
        public Builder inMemory() {
            this.inMemory = true;
            return this;
        }
        /** A topic created at start (kept if it already exists in the data dir). */
        public Builder topic(String name, int partitions) {
            topics.put(name, partitions);
            return this;
        }
        /** A broker property with Kafka's key name, e.g. {@code num.partitions}. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }
        /** Also run a ZooKeeper server on a free port, with this broker registered, for Kafka 0.8 consumers. */
        public Builder zookeeper() {
            this.zookeeperPort = 0;
            return this;
        }

        int zookeeperPort = -1;
        int brokers = 1;

        /**
         * Runs {@code n} brokers in this process ({@link SkiffCluster}): {@link #bootstrapServers()} lists them
         * all, topics go through the controller, and {@link #cluster()} gives the controls (stop, kill, restart
         * one broker, move leaders, cut replication). The record, offset and request-hook methods are those of a
         * single broker and are not offered for a cluster.
         */
        public Builder brokers(int n) {
            if (n < 1) throw new IllegalArgumentException("brokers must be at least 1: " + n);
            this.brokers = n;
            return this;
        }

        /** As {@link #start()} for {@link #brokers(int)} > 1, handing out the cluster itself. */
        public SkiffCluster startCluster() {
            return startCluster(dataDir);
        }

        SkiffCluster startCluster(Path root) {
            SkiffCluster.Builder c =
                    SkiffCluster.builder().brokers(brokers).port(port).properties(properties);
            if (inMemory) c.inMemory();
            if (root != null) c.root(root);
            topics.forEach(c::topic);
            return c.start();
        }

        public EmbeddedSkiff start() {
            return new EmbeddedSkiff(this);
        }
    }

    private final Builder options;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private volatile SkiffServer server;
    /** Set instead of {@link #server} when {@link Builder#brokers(int)} asked for several brokers. */
    private final SkiffCluster cluster;
    /** Kept across restarts: a control or fault installed before restart() still applies after it. */
    private final Controls controls = new Controls();

    private final FaultInjector faults = new FaultInjector(controls, id -> {
        Topic t = server.broker().topics().get(id);
        return t == null ? null : t.name();
    });
    private int port;
    private int zookeeperPort; // pinned after the first start, so a restart keeps the connect string

    private EmbeddedSkiff(Builder b) {
        SkiffServer.ColdStart.loadInBackground();
        this.options = b;
        try {
            this.ownsDataDir = b.dataDir == null && !b.inMemory;
            this.dataDir = b.dataDir != null ? b.dataDir : b.inMemory ? null : Files.createTempDirectory("skiff-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.port = b.port;
        this.zookeeperPort = b.zookeeperPort;
        if (b.brokers > 1) {
            this.cluster = b.startCluster(dataDir);
            this.port = cluster.port(0);
            return;
        }
        this.cluster = null;
        this.server = startServer();
        this.port = server.port();
    }

    /** A cluster of {@code n} brokers on a temp dir, with the defaults (see {@link SkiffCluster}). */
    public static SkiffCluster cluster(int n) {
        return SkiffCluster.builder().brokers(n).start();
    }

    /** The cluster when started with {@link Builder#brokers(int)} > 1, else null. */
    public SkiffCluster cluster() {
        return cluster;
    }

    public static Builder builder() {
        return new Builder();
    }

    private SkiffServer startServer() {
        Map<String, String> props = new LinkedHashMap<>(options.properties);
        props.put("host.name", options.host);
        props.put("port", Integer.toString(port));
        props.remove("listeners");
        if (dataDir != null) props.put("log.dirs", dataDir.toString());
        if (zookeeperPort >= 0)
            props.put(dev.skiff.server.zookeeper.ZooKeeperSettings.PORT_KEY, Integer.toString(zookeeperPort));
        BrokerConfig config = BrokerConfig.of(props);
        SkiffServer started = SkiffServer.start(config, options.topics, options.inMemory, controls);
        String zk = started.zookeeperConnect();
        if (zk != null && zookeeperPort == 0) zookeeperPort = Integer.parseInt(zk.substring(zk.lastIndexOf(':') + 1));
        return started;
    }

    /** {@code host:port}, the same form as Testcontainers' KafkaContainer.getBootstrapServers(). */
    public String bootstrapServers() {
        if (cluster != null) return cluster.bootstrapServers();
        return host() + ":" + port();
    }

    public String host() {
        return cluster != null ? cluster.host(0) : options.host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port} of the ZooKeeper this broker is registered in, or null without {@link Builder#zookeeper()}. */
    public String zookeeperConnect() {
        return server.zookeeperConnect();
    }

    /** The data directory, or null for an in-memory broker. */
    public Path dataDir() {
        return dataDir;
    }

    /** The broker inside: for Skiff's own code in this package only, never part of the embedding API. */
    Broker broker() {
        return server.broker();
    }

    // ---- topics ----

    /** Creates a topic with the broker's default configs; nothing happens if it exists. */
    public void createTopic(String name, int partitions) {
        if (cluster != null) {
            if (cluster.image().topic(name) == null) cluster.createTopic(name, partitions, -1);
            return;
        }
        server.broker().createTopics(Map.of(name, partitions));
    }

    /** Creates a topic with these topic configs (Kafka's keys, e.g. {@code cleanup.policy}); fails if it exists. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        if (cluster != null) {
            cluster.controller().createTopic(name, partitions, -1, null, configs);
            return;
        }
        server.broker().topics().create(name, partitions, configs);
    }

    /** Grows a topic to {@code totalPartitions}, as Kafka's CreatePartitions does. */
    public void addPartitions(String topic, int totalPartitions) {
        server.broker().topics().addPartitions(topic, totalPartitions);
    }

    /** Deletes a topic and its data; false if there was none. */
    public boolean deleteTopic(String topic) {
        return server.broker().topics().delete(topic);
    }

    /** The names of the topics, internal ones ({@code __consumer_offsets}, ...) included, sorted. */
    public Set<String> topics() {
        if (cluster != null) return new TreeSet<>(cluster.image().topics().keySet());
        Set<String> names = new TreeSet<>();
        for (Topic t : server.broker().topics().all()) names.add(t.name());
        return names;
    }

    /** The number of partitions of a topic; 0 when it does not exist. */
    public int partitions(String topic) {
        if (cluster != null) {
            var ti = cluster.image().topic(topic);
            return ti == null ? 0 : ti.partitions().size();
        }
        Topic t = server.broker().topics().get(topic);
        return t == null ? 0 : t.partitions().size();
    }

    // ---- the request hook ----

    /**
     * Installs a control on every request of {@code api} from now on (restarts included) until
     * {@link ControlHandle#remove()}: it sees the decoded request and decides its fate, see
     * {@link dev.skiff.server.control.Reply}; returning null leaves the request to the next control and the
     * broker. Controls are asked in the order they were installed.
     *
     * <pre>{@code
     * ControlHandle slow = broker.control(ApiKeys.FETCH, (ctx, request) -> Reply.delay(Duration.ofMillis(200)));
     * broker.control(ApiKeys.PRODUCE, 2, (ctx, request) -> Reply.error(Errors.NOT_LEADER_OR_FOLLOWER));
     * }</pre>
     */
    public ControlHandle control(ApiKeys api, RequestControl control) {
        return controls.add(api, control);
    }

    /** As {@link #control(ApiKeys, RequestControl)}, removed after it has replied to {@code times} requests. */
    public ControlHandle control(ApiKeys api, int times, RequestControl control) {
        return controls.add(api, times, control);
    }

    /**
     * Faults to inject into the answers of this broker, for tests of client error handling:
     * {@code faults().on(ApiKeys.PRODUCE).topic("orders").respondWith(Errors.NOT_LEADER_OR_FOLLOWER)}.
     * Each fault is a {@link #control} that only acts on requests about its topic.
     */
    public FaultInjector faults() {
        return faults;
    }

    // ---- offsets ----

    /** A partition of a topic, as the offsets of a group name it. */
    public record TopicPartition(String topic, int partition) {}

    /** The offsets group {@code group} has committed, by partition; empty for an unknown group. */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        Map<TopicPartition, Long> out = new TreeMap<>(
                java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        for (Map.Entry<dev.skiff.broker.TopicPartition, CommittedOffset> e :
                server.broker().offsets().fetchAll(group).entrySet()) {
            out.put(
                    new TopicPartition(e.getKey().topic(), e.getKey().partition()),
                    e.getValue().offset());
        }
        return out;
    }

    /** The first offset still in a partition's log. */
    public long logStartOffset(String topic, int partition) {
        return partition(topic, partition).logStartOffset();
    }

    /** The offset the next record appended to a partition will get. */
    public long logEndOffset(String topic, int partition) {
        return partition(topic, partition).highWatermark();
    }

    private Partition partition(String topic, int partition) {
        Topic t = server.broker().topics().get(topic);
        if (t == null || partition < 0 || partition >= t.partitions().size()) {
            throw new IllegalArgumentException("No partition " + topic + "-" + partition);
        }
        return t.partition(partition);
    }

    // ---- records ----

    /** One record as stored: its offset, timestamp, key, value (null when absent) and headers. */
    public record StoredRecord(long offset, long timestamp, byte[] key, byte[] value, List<RecordHeader> headers) {

        /** The value as UTF-8 text, or null. */
        public String valueString() {
            return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The key as UTF-8 text, or null. */
        public String keyString() {
            return key == null ? null : new String(key, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One header of a stored record; its value may be null. */
    public record RecordHeader(String key, byte[] value) {}

    /**
     * The data records of one partition from its log start to its end, in offset order (transaction markers
     * are left out, records of aborted transactions are not).
     */
    public List<StoredRecord> records(String topic, int partition) {
        Partition p = partition(topic, partition);
        List<StoredRecord> out = new ArrayList<>();
        long next = p.logStartOffset();
        while (next < p.highWatermark()) {
            ByteBuffer batches = p.log().read(next, 1 << 20, true).readFully();
            if (!batches.hasRemaining()) break;
            for (RecordBatch batch : RecordBatches.batches(batches)) {
                if (!batch.isControl()) {
                    try (RecordIterator it = batch.records()) {
                        while (it.hasNext()) {
                            Record r = it.next();
                            if (r.offset() >= next) out.add(stored(r));
                        }
                    }
                }
                next = Math.max(next, batch.nextOffset());
            }
        }
        return out;
    }

    private static StoredRecord stored(Record r) {
        List<RecordHeader> headers = new ArrayList<>();
        for (Header h : r.headers()) headers.add(new RecordHeader(h.key(), Record.bytes(h.value())));
        return new StoredRecord(
                r.offset(),
                r.timestamp(),
                r.key() == null ? null : Record.bytes(r.key()),
                r.value() == null ? null : Record.bytes(r.value()),
                headers);
    }

    /**
     * The records in a topic: the sum of its partitions' log end offsets minus their log start offsets
     * (transaction markers count too); 0 for a topic that does not exist.
     */
    public long recordCount(String topic) {
        Topic t = server.broker().topics().get(topic);
        if (t == null) return 0;
        long n = 0;
        for (Partition p : t.partitions()) n += p.highWatermark() - p.logStartOffset();
        return n;
    }

    /**
     * Waits until {@code topic} holds at least {@code count} records (see {@link #recordCount}) and returns
     * how many it holds; throws AssertionError, naming both counts, after {@code timeout}.
     */
    public long awaitRecords(String topic, long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long n = recordCount(topic);
            if (n >= count) return n;
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("Topic " + topic + " has " + n + " record(s) after " + timeout
                        + ", expected at least " + count);
            }
            LockSupport.parkNanos(2_000_000);
            if (Thread.interrupted()) throw new IllegalStateException("Interrupted while awaiting records in " + topic);
        }
    }

    /** Stops and starts again on the same data dir and port, as a process restart would. */
    public synchronized void restart() {
        if (cluster != null) {
            cluster.restart();
            return;
        }
        server.close();
        server = startServer();
    }

    @Override
    public synchronized void close() {
        if (cluster != null) cluster.close();
        else server.close();
        if (ownsDataDir) {
            try {
                Directories.deleteRecursively(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
