package dev.skiff.server;

import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.ClusterController;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.ReplicationLinks;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.replica.ReplicaManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.server.control.Controls;
import dev.skiff.server.faults.FaultInjector;
import dev.skiff.server.replica.SocketReplicaChannel;
import dev.skiff.server.zookeeper.ZooKeeperBridge;
import dev.skiff.server.zookeeper.ZooKeeperSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several brokers in one process, with one {@link ClusterController}. Node ids are 0..N-1; broker i keeps its
 * logs in {@code <root>/broker-<i>} and the controller its metadata log in {@code <root>/__cluster_metadata}.
 *
 * <p>Listeners: by default broker i listens on 127.0.0.(i+1), all at the same port (with port 0 the first
 * broker picks it and the others bind that number on their address), so a client that connects to "the
 * leader's host at the known port" works unchanged. Where 127.0.0.2 cannot be bound, or with {@code
 * skiff.cluster.listeners=ports}, every broker listens on 127.0.0.1 at its own port (port 0: each picks one;
 * port P: P+i).
 *
 * <p>Controls for tests: stop (clean), kill (connections reset, in-flight requests unanswered) and restart one
 * broker, restart the whole cluster, move a partition's leadership, cut and restore a broker's replication. A
 * broker that stops or dies is fenced by the controller (its partitions get new leaders from their ISR); one
 * that starts registers again.
 */
public final class SkiffCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SkiffCluster.class);

    /** {@code addresses} (default: 127.0.0.(i+1), one port) or {@code ports} (127.0.0.1, one port each). */
    public static final String LISTENERS_KEY = "skiff.cluster.listeners";

    /** What a cluster starts with. */
    public static final class Builder {
        private int brokers = 3;
        private Path root;
        private boolean inMemory;
        private int port;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, Integer> topics = new LinkedHashMap<>();

        public Builder brokers(int n) {
            if (n < 1) throw new IllegalArgumentException("a cluster needs at least one broker: " + n);
            this.brokers = n;
            return this;
        }

        /** Where the brokers' logs and the metadata log go (default: a temp dir removed on close). */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        public Builder inMemory() {
            this.inMemory = true;
            return this;
        }

        /** The port every broker listens on (0, the default: the first broker picks a free one). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }

        /** A topic created at start (replication factor: default.replication.factor) unless it exists. */
        public Builder topic(String name, int partitions) {
            topics.put(name, partitions);
            return this;
        }

        public SkiffCluster start() {
            return new SkiffCluster(this);
        }
    }

    /** The controller subscriber id of the ZooKeeper bridge: no broker has a negative id. */
    private static final int ZOOKEEPER_SUBSCRIBER = -2;

    private final Builder options;
    private final Path root;
    private final boolean ownsRoot;
    private final BrokerConfig base;
    private final ReplicationLinks links = new ReplicationLinks();
    private final List<Controls> controls = new ArrayList<>();
    private final List<FaultInjector> faults = new ArrayList<>();
    private final SkiffServer[] servers;
    private final String[] hosts;
    private final int[] ports;
    private volatile ClusterController controller;
    /** One bridge for the whole cluster (0.8 clients' ZooKeeper view); null unless configured. */
    private ZooKeeperBridge zooKeeper;

    private boolean distinctPorts;

    private SkiffCluster(Builder b) {
        SkiffServer.ColdStart.loadInBackground();
        this.options = b;
        try {
            this.ownsRoot = b.root == null && !b.inMemory;
            this.root = b.root != null ? b.root : b.inMemory ? null : Files.createTempDirectory("skiff-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> props = new LinkedHashMap<>(b.properties);
        props.remove("listeners");
        this.base = BrokerConfig.of(props);
        this.servers = new SkiffServer[b.brokers];
        this.hosts = new String[b.brokers];
        this.ports = new int[b.brokers];
        for (int i = 0; i < b.brokers; i++) {
            Controls c = new Controls();
            controls.add(c);
            faults.add(new FaultInjector(c, topicId -> {
                TopicImage t = controller.image().topic(topicId);
                return t == null ? null : t.name();
            }));
        }
        this.distinctPorts =
                "ports".equalsIgnoreCase(base.get(LISTENERS_KEY)) || (b.brokers > 1 && !canBind("127.0.0.2"));
        try {
            this.controller = openController();
            startZooKeeper();
            startAll();
            for (Map.Entry<String, Integer> t : b.topics.entrySet()) {
                if (controller.image().topic(t.getKey()) == null)
                    controller.createTopic(t.getKey(), t.getValue(), -1, null, Map.of());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A cluster of {@code n} brokers on a temp dir, with the defaults. */
    public static SkiffCluster start(int n) {
        return builder().brokers(n).start();
    }

    /**
     * Starts the cluster's ZooKeeper bridge when skiff.zookeeper.port or zookeeper.connect is set, and has it
     * follow the controller's images (every live broker registered, every leadership change written).
     */
    private void startZooKeeper() {
        ZooKeeperSettings zk = ZooKeeperSettings.from(base);
        if (zk == null) return;
        if (zooKeeper == null) {
            try {
                zooKeeper = ZooKeeperBridge.startForCluster(zk, root == null ? null : root.resolve("zookeeper"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the ZooKeeper bridge", e);
            }
        }
        controller.subscribe(ZOOKEEPER_SUBSCRIBER, zooKeeper.clusterListener());
    }

    /** The ZooKeeper connect string of the cluster's bridge, or null when it has none. */
    public String zookeeperConnect() {
        ZooKeeperBridge zk = zooKeeper;
        return zk == null ? null : zk.connectString();
    }

    private ClusterController openController() {
        return options.inMemory ? ClusterController.inMemory(base) : ClusterController.open(base, root);
    }

    private void startAll() {
        for (int i = 0; i < servers.length; i++) startBroker(i);
    }

    private void startBroker(int id) {
        if (hosts[id] == null) {
            hosts[id] = distinctPorts ? "127.0.0.1" : "127.0.0." + (id + 1);
            ports[id] =
                    distinctPorts ? (options.port == 0 ? 0 : options.port + id) : (id == 0 ? options.port : ports[0]);
        }
        // coordinators follow the internal topics' leaders: no request may find them serving everything locally
        servers[id] = SkiffServer.startMember(config(id), options.inMemory, controls.get(id), controller, broker -> {
            broker.coordinators().joinCluster(controller::image, controller, peer -> {
                SkiffServer s = servers[peer];
                return s == null ? null : s.broker().coordinators();
            });
            broker.replicaManager().addLeadershipListener(broker.coordinators());
        });
        ports[id] = servers[id].port();
        controller.register(new BrokerEndpoint(
                id, servers[id].broker().advertisedHost(), servers[id].broker().advertisedPort(), null));
        // registered first: the leaders check that a replica fetch comes from its broker's registered host
        ReplicaManager replicas = servers[id].broker().replicaManager();
        if (zooKeeper != null) zooKeeper.attach(servers[id].broker());
        replicas.joinCluster(
                controller,
                SocketReplicaChannel.factory(b -> hosts[b], replicas.config().socketTimeoutMs()),
                links);
    }

    /** False where only 127.0.0.1 is a loopback address (then the brokers use distinct ports on it). */
    private static boolean canBind(String host) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(host, 0));
            return true;
        } catch (IOException e) {
            log.warn(
                    "Cannot listen on {} ({}); the cluster's brokers use distinct ports on 127.0.0.1",
                    host,
                    e.toString());
            return false;
        }
    }

    private BrokerConfig config(int id) {
        Map<String, String> props = new LinkedHashMap<>(base.values());
        props.put("node.id", Integer.toString(id));
        props.remove("broker.id");
        props.put("host.name", hosts[id]);
        props.put("port", Integer.toString(ports[id]));
        props.remove("advertised.listeners");
        if (root != null) props.put("log.dirs", root.resolve("broker-" + id).toString());
        // as Kafka's own test clusters: internal topics as replicated as the cluster allows, up to Kafka's 3
        String rf = Integer.toString(Math.min(3, servers.length));
        props.putIfAbsent("offsets.topic.replication.factor", rf);
        props.putIfAbsent("transaction.state.log.replication.factor", rf);
        return BrokerConfig.of(props);
    }

    // ---- what tests and clients see

    /** {@code host:port} of every running broker, comma-separated. */
    public synchronized String bootstrapServers() {
        StringJoiner j = new StringJoiner(",");
        for (int i = 0; i < servers.length; i++) if (servers[i] != null) j.add(hosts[i] + ":" + ports[i]);
        return j.toString();
    }

    public int size() {
        return servers.length;
    }

    public synchronized String host(int id) {
        return hosts[id];
    }

    public synchronized int port(int id) {
        return ports[id];
    }

    public synchronized boolean isRunning(int id) {
        return servers[id] != null;
    }

    /** The server of a running broker (null when stopped). */
    public synchronized SkiffServer server(int id) {
        return servers[id];
    }

    /** The request controls of one broker (kept across its restarts). */
    public Controls controls(int id) {
        return controls.get(id);
    }

    /**
     * Faults injected into the answers of one broker (kept across its restarts), e.g. {@code
     * faults(1).on(ApiKeys.PRODUCE).topic("orders").respondWith(Errors.NOT_LEADER_OR_FOLLOWER)}.
     */
    public FaultInjector faults(int id) {
        return faults.get(id);
    }

    public synchronized ClusterController controller() {
        return controller;
    }

    public MetadataImage image() {
        return controller().image();
    }

    public ReplicationLinks replicationLinks() {
        return links;
    }

    /** The leader of a partition now (-1: none), from the controller's image. */
    public int leader(String topic, int partition) {
        PartitionRegistration p = image().partition(topic, partition);
        if (p == null) throw new IllegalArgumentException("no partition " + topic + "-" + partition);
        return p.leader();
    }

    /** Creates a topic through the controller ({@code replicationFactor} -1: default.replication.factor). */
    public TopicImage createTopic(String name, int partitions, int replicationFactor) {
        return controller().createTopic(name, partitions, replicationFactor, null, Map.of());
    }

    // ---- controls

    /** Stops a broker cleanly: its leaderships move first (it is fenced), then it closes. */
    public synchronized void stopBroker(int id) {
        SkiffServer s = running(id);
        if (zooKeeper != null) zooKeeper.detach(s.broker());
        controller.fence(id);
        s.close();
        servers[id] = null;
    }

    /** Kills a broker: connections reset, in-flight requests unanswered; then the controller fences it. */
    public synchronized void killBroker(int id) {
        SkiffServer s = running(id);
        if (zooKeeper != null) zooKeeper.detach(s.broker());
        s.kill();
        servers[id] = null;
        controller.fence(id);
    }

    /** Starts a stopped or killed broker again on its address, port and data dir; it registers again. */
    public synchronized void restartBroker(int id) {
        if (servers[id] != null) stopBroker(id);
        startBroker(id);
    }

    /** Moves a partition's leadership to {@code brokerId}, an alive member of its ISR. */
    public void moveLeader(String topic, int partition, int brokerId) {
        controller().moveLeader(new TopicPartition(topic, partition), brokerId);
    }

    /** Cuts a broker's replication: it still serves clients but copies nothing, so it leaves the ISR. */
    public void cutReplication(int id) {
        links.cut(id);
    }

    public void restoreReplication(int id) {
        links.restore(id);
    }

    /** Stops every broker and the controller, and starts them again on the same dirs and addresses. */
    public synchronized void restart() {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != null && zooKeeper != null) zooKeeper.detach(servers[i].broker());
            if (servers[i] != null) servers[i].close();
            servers[i] = null;
        }
        controller.close();
        controller = openController();
        startZooKeeper();
        startAll();
    }

    private SkiffServer running(int id) {
        SkiffServer s = servers[id];
        if (s == null) throw new IllegalStateException("broker " + id + " is not running");
        return s;
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] == null) continue;
            try {
                servers[i].close();
            } catch (RuntimeException e) {
                log.warn("Closing broker {}: {}", i, e.toString());
            }
            servers[i] = null;
        }
        if (controller != null) controller.close();
        if (zooKeeper != null) zooKeeper.close();
        if (ownsRoot) {
            try {
                Directories.deleteRecursively(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
