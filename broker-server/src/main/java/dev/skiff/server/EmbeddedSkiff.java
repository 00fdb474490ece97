package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.control.ControlHandle;
import dev.skiff.server.control.Controls;
import dev.skiff.server.control.RequestControl;
import dev.skiff.server.faults.FaultInjector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A Skiff broker running inside this JVM, for tests and applications that embed it.
 *
 * <pre>{@code
 * try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 3).start()) {
 *     props.put("bootstrap.servers", broker.bootstrapServers());
 * }
 * }</pre>

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

        public Builder host(String host) { this.host = host; return this; }
        /** Port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) { this.port = port; return this; }
        /** Directory of the logs; by default a fresh temporary directory that close() deletes. */
        public Builder dataDir(Path dataDir) { this.dataDir = dataDir; return this; }
        /** Keep logs in memory only: no files at all. */
        public Builder inMemory() { this.inMemory = true; return this; }
        /** A topic created at start (kept if it already exists in the data dir). */
        public Builder topic(String name, int partitions) { topics.put(name, partitions); return this; }
        /** A broker property with Kafka's key name, e.g. {@code num.partitions}. */
        public Builder property(String key, String value) { properties.put(key, value); return this; }
        public Builder properties(Map<String, String> values) { properties.putAll(values); return this; }
        /** Also run a ZooKeeper server on a free port, with this broker registered, for Kafka 0.8 consumers. */
        public Builder zookeeper() { this.zookeeperPort = 0; return this; }
        int zookeeperPort = -1;

        public EmbeddedSkiff start() { return new EmbeddedSkiff(this); }
    }

    private final Builder options;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private volatile SkiffServer server;
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
        this.server = startServer();
        this.port = server.port();
    }

    public static Builder builder() { return new Builder(); }

    private SkiffServer startServer() {
        Map<String, String> props = new LinkedHashMap<>(options.properties);
        props.put("host.name", options.host);
        props.put("port", Integer.toString(port));
        props.remove("listeners");
        if (dataDir != null) props.put("log.dirs", dataDir.toString());
        if (zookeeperPort >= 0) props.put(dev.skiff.server.zookeeper.ZooKeeperSettings.PORT_KEY, Integer.toString(zookeeperPort));
        BrokerConfig config = BrokerConfig.of(props);
        SkiffServer started = SkiffServer.start(config, options.topics, options.inMemory, controls);
        String zk = started.zookeeperConnect();
        if (zk != null && zookeeperPort == 0) zookeeperPort = Integer.parseInt(zk.substring(zk.lastIndexOf(':') + 1));
        return started;
    }

    /** {@code host:port}, the same form as Testcontainers' KafkaContainer.getBootstrapServers(). */
    public String bootstrapServers() { return host() + ":" + port(); }

    public String host() { return options.host; }

    public int port() { return port; }

    /** {@code host:port} of the ZooKeeper this broker is registered in, or null without {@link Builder#zookeeper()}. */
    public String zookeeperConnect() { return server.zookeeperConnect(); }

    /** The data directory, or null for an in-memory broker. */
    public Path dataDir() { return dataDir; }

    /** The broker inside, for tests that look at its state directly. */
    public Broker broker() { return server.broker(); }

    public void createTopic(String name, int partitions) {
        server.broker().createTopics(Map.of(name, partitions));
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
    public ControlHandle control(ApiKeys api, RequestControl control) { return controls.add(api, control); }

    /** As {@link #control(ApiKeys, RequestControl)}, removed after it has replied to {@code times} requests. */
    public ControlHandle control(ApiKeys api, int times, RequestControl control) { return controls.add(api, times, control); }

    /**
     * Faults to inject into the answers of this broker, for tests of client error handling:
     * {@code faults().on(ApiKeys.PRODUCE).topic("orders").respondWith(Errors.NOT_LEADER_OR_FOLLOWER)}.
     * Each fault is a {@link #control} that only acts on requests about its topic.
     */
    public FaultInjector faults() { return faults; }

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
        server.close();
        server = startServer();
    }

    @Override
    public synchronized void close() {
        server.close();
        if (ownsDataDir) {
            try {
                Directories.deleteRecursively(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
