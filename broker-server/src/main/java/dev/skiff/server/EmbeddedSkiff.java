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
        /**
         * Serve the web console and {@code /metrics} on a free port of 127.0.0.1; {@link #consoleUrl()} gives its
         * address (a failing test can print it to show the broker's state).
         */
        public Builder console() {
            return console(0);
        }

        /** As {@link #console()}, on {@code port} (0 picks a free one, pinned across restarts). */
        public Builder console(int port) {
            this.consolePort = port;
            return this;
        }

        int consolePort = -1;

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

        boolean tls;
        final List<String> saslMechanisms = new ArrayList<>();
        final Map<String, String> users = new LinkedHashMap<>();
        final List<String> clientCertificates = new ArrayList<>();
        SaslProvider saslProvider = SaslProvider.standard();
        final Map<String, dev.skiff.config.SecurityProtocol> extraListeners = new LinkedHashMap<>();

        /**
         * Serve TLS on the broker's listener (SSL, or SASL_SSL with {@link #sasl}), with a certificate for
         * localhost and 127.0.0.1 signed by a CA made at start; {@link #trustStore()} and
         * {@link #clientProperties()} hand clients what they need to trust it.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Require SASL with these mechanisms (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) on the broker's listener. */
        public Builder sasl(String... mechanisms) {
            for (String m : mechanisms) saslMechanisms.add(m.trim().toUpperCase(java.util.Locale.ROOT));
            return this;
        }

        /** A SASL user; the first one given is the one {@link #clientProperties()} logs in as. */
        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /**
         * Require TLS client certificates (ssl.client.auth=required) and make one for {@code CN=<name>}, which the
         * broker sees as principal {@code User:CN=<name>}; {@link #clientProperties(String)} gives its key store.
         */
        public Builder clientCertificate(String name) {
            this.tls = true;
            clientCertificates.add(name);
            return this;
        }

        /** Where SASL listeners get their mechanisms (see {@link SaslProvider}). */
        public Builder saslProvider(SaslProvider provider) {
            this.saslProvider = provider;
            return this;
        }

        /**
         * Another listener, on a free port of the same host, besides the broker's own (which
         * {@link #bootstrapServers()} names): e.g. {@code listener("INTERNAL", "PLAINTEXT")}. It shares the broker's
         * TLS certificate and SASL settings; {@link #bootstrapServers(String)} names its address.
         */
        public Builder listener(String name, String securityProtocol) {
            extraListeners.put(
                    name.toUpperCase(java.util.Locale.ROOT), dev.skiff.config.SecurityProtocol.parse(securityProtocol));
            return this;
        }

        public EmbeddedSkiff start() {
            return new EmbeddedSkiff(this);
        }

        final java.util.List<dev.skiff.broker.security.acl.AclBinding> acls = new java.util.ArrayList<>();

        /**
         * Turns ACLs on (Kafka's StandardAuthorizer rules: nothing is allowed without an ACL but to super users),
         * and the test aid that makes a client id "user:alice" act as User:alice over plain text.
         */
        public Builder authorizer() {
            properties.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            properties.putIfAbsent("skiff.test.principal.client.id.prefix", "user:");
            return this;
        }

        /** A super user ("alice" or "User:alice"), who may do everything; implies {@link #authorizer()}. */
        public Builder superUser(String name) {
            authorizer();
            String principal = name.contains(":") ? name : "User:" + name;
            String current = properties.get("super.users");
            properties.put("super.users", current == null || current.isBlank() ? principal : current + ";" + principal);
            return this;
        }

        /**
         * An ACL in place at start (added if missing; implies {@link #authorizer()}), e.g.
         * {@code acl("User:alice", ResourceType.TOPIC, "orders", PatternType.LITERAL, AclOperation.READ,
         * AclPermissionType.ALLOW)}, from any host.
         */
        public Builder acl(
                String principal,
                dev.skiff.broker.security.acl.ResourceType type,
                String name,
                dev.skiff.broker.security.acl.PatternType pattern,
                dev.skiff.broker.security.acl.AclOperation operation,
                dev.skiff.broker.security.acl.AclPermissionType permission) {
            authorizer();
            acls.add(new dev.skiff.broker.security.acl.AclBinding(
                    type, name, pattern, principal, "*", operation, permission));
            return this;
        }

        /**
         * ACLs in place at start, in one line each (implies {@link #authorizer()}): e.g.
         * {@code acl("User:alice ALLOW READ TOPIC:orders")}, {@code acl("bob ALLOW WRITE TOPIC:orders- PREFIXED")};
         * the form is {@link dev.skiff.broker.security.acl.AclSpecs}'. A line it cannot read throws
         * IllegalArgumentException.
         */
        public Builder acl(String spec) {
            List<dev.skiff.broker.security.acl.AclBinding> parsed = dev.skiff.broker.security.acl.AclSpecs.parse(spec);
            authorizer();
            acls.addAll(parsed);
            return this;
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
    private int consolePort; // pinned after the first start, so a restart keeps the console's address
    private int zookeeperPort; // pinned after the first start, so a restart keeps the connect string
    /** Ports of the extra listeners, pinned after the first start like the main one. */
    private final Map<String, Integer> listenerPorts = new LinkedHashMap<>();
    /** Certificates and the stores clients use; null without TLS. */
    private final EmbeddedTls tls;

    private EmbeddedSkiff(Builder b) {
        SkiffServer.ColdStart.loadInBackground();
        this.options = b;
        for (String name : b.extraListeners.keySet()) listenerPorts.put(name, 0);
        this.tls = b.tls || b.extraListeners.values().stream().anyMatch(dev.skiff.config.SecurityProtocol::tls)
                ? EmbeddedTls.create(b.host, b.clientCertificates)
                : null;
        try {
            this.ownsDataDir = b.dataDir == null && !b.inMemory;
            this.dataDir = b.dataDir != null ? b.dataDir : b.inMemory ? null : Files.createTempDirectory("skiff-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.port = b.port;
        this.zookeeperPort = b.zookeeperPort;
        this.consolePort = b.consolePort;
        if (b.brokers > 1) {
            this.cluster = b.startCluster(dataDir);
            this.port = cluster.port(0);
            return;
        }
        this.cluster = null;
        try {
            this.server = startServer();
        } catch (RuntimeException e) {
            if (tls != null) tls.close();
            throw e;
        }
        this.port = server.port();
        for (String name : listenerPorts.keySet()) listenerPorts.put(name, server.port(name));
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
        if (!options.extraListeners.isEmpty() || mainProtocol() != dev.skiff.config.SecurityProtocol.PLAINTEXT) {
            StringBuilder listeners = new StringBuilder(mainProtocol() + "://" + options.host + ":" + port);
            StringBuilder map = new StringBuilder(mainProtocol() + ":" + mainProtocol());
            listenerPorts.forEach((name, p) -> {
                listeners
                        .append(',')
                        .append(name)
                        .append("://")
                        .append(options.host)
                        .append(':')
                        .append(p);
                map.append(',').append(name).append(':').append(options.extraListeners.get(name));
            });
            props.put("listeners", listeners.toString());
            props.putIfAbsent("listener.security.protocol.map", map.toString());
        }
        if (tls != null) {
            props.putIfAbsent("ssl.keystore.type", "PEM");
            props.putIfAbsent("ssl.keystore.key", tls.server().keyPem());
            props.putIfAbsent("ssl.keystore.certificate.chain", tls.server().chainPem());
            props.putIfAbsent("ssl.truststore.type", "PEM");
            props.putIfAbsent("ssl.truststore.certificates", tls.authority().certificatePem());
            if (!options.clientCertificates.isEmpty()) props.putIfAbsent("ssl.client.auth", "required");
        }
        if (!options.saslMechanisms.isEmpty()) {
            props.putIfAbsent("sasl.enabled.mechanisms", String.join(",", options.saslMechanisms));
            if (options.saslMechanisms.contains("PLAIN") && !options.users.isEmpty()) {
                // Kafka's own way to give PLAIN its users, on each SASL listener
                StringBuilder jaas =
                        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
                options.users.forEach((u, pw) ->
                        jaas.append(" user_").append(u).append("=\"").append(pw).append('"'));
                jaas.append(';');
                props.putIfAbsent(
                        "listener.name." + mainProtocol().name().toLowerCase(java.util.Locale.ROOT)
                                + ".plain.sasl.jaas.config",
                        jaas.toString());
                options.extraListeners.forEach((name, protocol) -> {
                    if (protocol.sasl())
                        props.putIfAbsent(
                                "listener.name." + name.toLowerCase(java.util.Locale.ROOT) + ".plain.sasl.jaas.config",
                                jaas.toString());
                });
            }
            if (!options.users.isEmpty()) {
                // Skiff's simpler form of the same users, for every mechanism
                StringBuilder users = new StringBuilder();
                options.users.forEach((u, pw) -> users.append(users.length() > 0 ? "," : "")
                        .append(u)
                        .append(':')
                        .append(pw));
                props.putIfAbsent("skiff.sasl.users", users.toString());
            }
        }
        if (dataDir != null) props.put("log.dirs", dataDir.toString());
        if (consolePort >= 0)
            props.put(dev.skiff.server.http.HttpSettings.LISTENERS_KEY, "http://" + options.host + ":" + consolePort);
        if (zookeeperPort >= 0)
            props.put(dev.skiff.server.zookeeper.ZooKeeperSettings.PORT_KEY, Integer.toString(zookeeperPort));
        BrokerConfig config = BrokerConfig.of(props);
        SkiffServer started =
                SkiffServer.start(config, options.topics, options.inMemory, controls, options.saslProvider);
        if (!options.acls.isEmpty()) {
            for (dev.skiff.protocol.ApiException e :
                    started.broker().authorizer().createAcls(options.acls))
                if (e != null) {
                    started.close();
                    throw new IllegalArgumentException("preset ACL refused: " + e.getMessage());
                }
        }
        String console = started.consoleUrl();
        if (console != null && consolePort == 0)
            consolePort = java.net.URI.create(console).getPort();
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

    /**
     * The web console's address, e.g. {@code http://127.0.0.1:40123/}, or null without {@link Builder#console()}:
     * print it from a failing test to look at topics, messages, groups and lag.
     */
    public String consoleUrl() {
        return cluster != null || server == null ? null : server.consoleUrl();
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

    // ---- client telemetry (KIP-714) ----

    /** One value a client pushed: the client's metric name, its attributes, the value (null for histograms). */
    public record ClientMetric(String name, Map<String, String> attributes, Double value) {}

    /**
     * The last metrics one client instance pushed: its instance id, the client.id and address of the connection,
     * when, how many pushes the broker took from it, whether it said it was closing, the resource attributes the
     * client describes itself with, and every metric value.
     */
    public record ClientTelemetry(
            String clientInstanceId,
            String clientId,
            String clientAddress,
            long receivedAtMs,
            int pushes,
            boolean terminating,
            Map<String, String> resource,
            List<ClientMetric> metrics) {

        /** The value of the first metric named {@code name}, or null. */
        public Double value(String name) {
            for (ClientMetric m : metrics) if (m.name().equals(name)) return m.value();
            return null;
        }
    }

    /**
     * What clients pushed (GetTelemetrySubscriptions/PushTelemetry), the last push of each client instance, once
     * {@code skiff.telemetry.metrics} asks them for metrics (else empty); kept in memory, not across restarts.
     * In a cluster, the pushes every broker received.
     */
    public List<ClientTelemetry> clientTelemetry() {
        List<Broker> brokers = new ArrayList<>();
        if (cluster != null) {
            for (int id = 0; id < cluster.size(); id++) {
                SkiffServer running = cluster.server(id);
                if (running != null) brokers.add(running.broker());
            }
        } else brokers.add(server.broker());
        List<ClientTelemetry> out = new ArrayList<>();
        for (Broker b : brokers)
            for (dev.skiff.broker.telemetry.ClientTelemetry.Push p :
                    b.handlers().clientTelemetry().lastPushes()) {
                List<ClientMetric> metrics = new ArrayList<>(p.points().size());
                for (dev.skiff.broker.telemetry.OtlpMetrics.Point point : p.points())
                    metrics.add(new ClientMetric(point.name(), point.attributes(), point.value()));
                out.add(new ClientTelemetry(
                        p.clientInstanceId().toString(),
                        p.clientId(),
                        p.clientAddress(),
                        p.receivedAtMs(),
                        p.pushes(),
                        p.terminating(),
                        p.resource(),
                        List.copyOf(metrics)));
            }
        return out;
    }

    // ---- security ----

    private dev.skiff.config.SecurityProtocol mainProtocol() {
        boolean sasl = !options.saslMechanisms.isEmpty();
        if (options.tls)
            return sasl ? dev.skiff.config.SecurityProtocol.SASL_SSL : dev.skiff.config.SecurityProtocol.SSL;
        return sasl ? dev.skiff.config.SecurityProtocol.SASL_PLAINTEXT : dev.skiff.config.SecurityProtocol.PLAINTEXT;
    }

    /** {@code host:port} of a listener by name (its protocol's name for the broker's own listener). */
    public String bootstrapServers(String listener) {
        String name = listener.toUpperCase(java.util.Locale.ROOT);
        if (name.equals(mainProtocol().name())) return bootstrapServers();
        Integer p = listenerPorts.get(name);
        if (p == null) throw new IllegalArgumentException("No listener " + listener + "; there are " + listenerNames());
        return host() + ":" + p;
    }

    /** The listener names: the broker's own first (named after its protocol), then those added. */
    public List<String> listenerNames() {
        List<String> names = new ArrayList<>();
        names.add(mainProtocol().name());
        names.addAll(listenerPorts.keySet());
        return names;
    }

    /** Where a client finds the CA that signed the broker's certificate: a PKCS12 file and the PEM text. */
    public record TrustStore(Path pkcs12, String password, Path pemFile, String pem) {}

    /** The trust store to hand to clients (Java clients: the PKCS12 file; librdkafka, Python, Node: the PEM). */
    public TrustStore trustStore() {
        if (tls == null) throw new IllegalStateException("this broker has no TLS; start it with .tls()");
        return tls.trustStore();
    }

    /**
     * Ready kafka-clients properties for the broker's own listener: bootstrap.servers, security.protocol, the
     * trust store, and as the first {@link Builder#user user} (SASL) or with the first
     * {@link Builder#clientCertificate client certificate} (TLS client auth).
     */
    public java.util.Properties clientProperties() {
        String who = !options.saslMechanisms.isEmpty() && !options.users.isEmpty()
                ? options.users.keySet().iterator().next()
                : options.clientCertificates.isEmpty() ? null : options.clientCertificates.get(0);
        return clientProperties(who);
    }

    /**
     * As {@link #clientProperties()}, logged in as {@code user} (SASL) or with that client certificate; on a
     * listener with neither, with an {@link Builder#authorizer() authorizer}, as client id {@code user:<user>},
     * which its test aid takes for {@code User:<user>}.
     */
    public java.util.Properties clientProperties(String user) {
        java.util.Properties p = new java.util.Properties();
        dev.skiff.config.SecurityProtocol protocol = mainProtocol();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("security.protocol", protocol.name());
        if (protocol.tls()) {
            TrustStore ts = tls.trustStore();
            p.put("ssl.truststore.location", ts.pkcs12().toString());
            p.put("ssl.truststore.password", ts.password());
            p.put("ssl.truststore.type", "PKCS12");
            if (user != null && options.clientCertificates.contains(user)) {
                p.put("ssl.keystore.location", tls.clientKeyStore(user).toString());
                p.put("ssl.keystore.password", tls.password());
                p.put("ssl.key.password", tls.password());
                p.put("ssl.keystore.type", "PKCS12");
            }
        }
        if (!protocol.sasl() && user != null && !options.clientCertificates.contains(user)) {
            // no SASL and no certificate for this user: the authorizer's test aid names the user by client id
            String prefix = options.properties.get(dev.skiff.broker.security.TestPrincipals.PREFIX_KEY);
            if (prefix != null && !prefix.isEmpty()) p.put("client.id", prefix + user);
        }
        if (protocol.sasl()) {
            String mechanism = options.saslMechanisms.get(0);
            p.put("sasl.mechanism", mechanism);
            if (user != null && options.users.containsKey(user)) {
                String module = mechanism.startsWith("SCRAM")
                        ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                        : "org.apache.kafka.common.security.plain.PlainLoginModule";
                p.put(
                        "sasl.jaas.config",
                        module + " required username=\"" + user + "\" password=\"" + options.users.get(user) + "\";");
            }
        }
        return p;
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
        if (tls != null) tls.close();
        if (ownsDataDir) {
            try {
                Directories.deleteRecursively(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
