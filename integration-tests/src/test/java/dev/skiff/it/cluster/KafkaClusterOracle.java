package dev.skiff.it.cluster;

import dev.skiff.it.FreePorts;
import dev.skiff.it.oracle.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real three-broker Apache Kafka 4.x cluster (KRaft: one dedicated controller and {@code n} brokers), each node
 * in a child JVM of its own, on free ports of 127.0.0.1 and a fresh temporary directory. Brokers can be killed
 * (SIGKILL: no shutdown, in-flight requests unanswered), stopped (SIGTERM: Kafka's controlled shutdown) and
 * restarted on the same port and data. The settings make failover quick: the controller fences a broker whose
 * heartbeats stop after {@link #SESSION_TIMEOUT_MS}, followers drop out of the ISR after
 * {@link #REPLICA_LAG_MS}, and the internal topics have three replicas (min ISR 2 for transactions).
 * {@link #close()} kills every node and deletes everything.
 */
public final class KafkaClusterOracle implements AutoCloseable {

    public static final int SESSION_TIMEOUT_MS = 4000;
    public static final int REPLICA_LAG_MS = 3000;
    private static final int CONTROLLER_ID = 3000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final String classpath;
    private final Map<Integer, Integer> ports = new TreeMap<>();
    private final Map<Integer, Process> brokers = new TreeMap<>();
    private Process controller;
    private Admin admin;

    private KafkaClusterOracle(Path dir, String classpath) {
        this.dir = dir;
        this.classpath = classpath;
    }

    /** Starts a controller and brokers 0..n-1 with test-friendly settings plus {@code overrides}. */
    public static KafkaClusterOracle start(int n, Map<String, String> overrides) {
        KafkaClusterOracle cluster = null;
        try {
            Path dir = Files.createTempDirectory("kafka-cluster-");
            cluster = new KafkaClusterOracle(dir, ChildJvm.classpath("kafka-broker"));
            cluster.startAll(n, overrides);
            return cluster;
        } catch (IOException e) {
            if (cluster != null) cluster.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            if (cluster != null) cluster.close();
            throw e;
        }
    }

    private void startAll(int n, Map<String, String> overrides) throws IOException {
        int[] free = FreePorts.distinct(n + 1);
        int controllerPort = free[n];
        for (int id = 0; id < n; id++) ports.put(id, free[id]);
        String clusterId = Uuid.randomUuid().toString();
        String voters = CONTROLLER_ID + "@127.0.0.1:" + controllerPort;

        Map<String, String> common = new LinkedHashMap<>();
        common.put("controller.quorum.voters", voters);
        common.put("controller.listener.names", "CONTROLLER");
        common.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        common.put("num.network.threads", "2");
        common.put("num.io.threads", "2");
        common.put("background.threads", "2");
        common.put("log.cleaner.threads", "1");

        Map<String, String> c = new LinkedHashMap<>(common);
        c.put("process.roles", "controller");
        c.put("node.id", Integer.toString(CONTROLLER_ID));
        c.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("log.dirs", dir.resolve("controller").toString());
        // how soon a killed broker is fenced, its leaderships moved and it leaves every ISR
        c.put("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS));
        c.put("broker.heartbeat.interval.ms", "500");
        c.putAll(overrides);
        Path controllerConfig = write(dir.resolve("controller.properties"), c);

        for (int id : ports.keySet()) {
            Map<String, String> b = new LinkedHashMap<>(common);
            b.put("process.roles", "broker");
            b.put("node.id", Integer.toString(id));
            b.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id));
            b.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id));
            b.put("inter.broker.listener.name", "PLAINTEXT");
            b.put("log.dirs", brokerDir(id).toString());
            b.put("broker.heartbeat.interval.ms", "500");
            b.put("replica.lag.time.max.ms", Integer.toString(REPLICA_LAG_MS));
            b.put("replica.fetch.wait.max.ms", "200");
            b.put("num.partitions", "1");
            b.put("default.replication.factor", Integer.toString(Math.min(3, n)));
            b.put("offsets.topic.replication.factor", Integer.toString(Math.min(3, n)));
            b.put("offsets.topic.num.partitions", "3");
            b.put("transaction.state.log.replication.factor", Integer.toString(Math.min(3, n)));
            b.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, n)));
            b.put("transaction.state.log.num.partitions", "3");
            b.put("share.coordinator.state.topic.replication.factor", Integer.toString(Math.min(3, n)));
            b.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, n)));
            b.put("group.initial.rebalance.delay.ms", "0");
            // leaders move only when a test asks (kafka-leader-election), never on a timer
            b.put("auto.leader.rebalance.enable", "false");
            b.putAll(overrides);
            write(config(id), b);
            // a broker's log directory needs only its identity; the controller's holds the bootstrap metadata
            Files.createDirectories(brokerDir(id));
            Files.writeString(
                    brokerDir(id).resolve("meta.properties"),
                    "version=1\ncluster.id=" + clusterId + "\nnode.id=" + id + "\ndirectory.id=" + Uuid.randomUuid()
                            + "\n",
                    StandardCharsets.UTF_8);
        }

        ChildJvm.Result format = ChildJvm.run(
                classpath,
                "kafka.tools.StorageTool",
                // without eligible leader replicas (KIP-966, on by default since 4.1): the classic rules, where the
                // last replica of a partition stays in its ISR when it dies, which is what Skiff's controller keeps
                List.of(
                        "format",
                        "-t",
                        clusterId,
                        "-c",
                        controllerConfig.toString(),
                        "--feature",
                        "eligible.leader.replicas.version=0"),
                null,
                Duration.ofSeconds(60));
        if (format.exitCode() != 0) throw new IllegalStateException("kafka-storage format failed:\n" + format.output());

        controller = ChildJvm.start(
                classpath, "kafka.Kafka", List.of(controllerConfig.toString()), dir.resolve("controller.log"));
        for (int id : ports.keySet()) launch(id);
        awaitAlive(ports.keySet());
    }

    private Path brokerDir(int id) {
        return dir.resolve("broker-" + id);
    }

    private Path config(int id) {
        return dir.resolve("broker-" + id + ".properties");
    }

    private Path log(int id) {
        return dir.resolve("broker-" + id + ".log");
    }

    private void launch(int id) {
        try {
            // keep the log of every run: a failing test wants to read why a broker stopped
            if (Files.exists(log(id))) {
                Files.writeString(
                        dir.resolve("broker-" + id + ".previous.log"),
                        Files.readString(log(id), StandardCharsets.UTF_8),
                        StandardCharsets.UTF_8);
            }
        } catch (IOException ignored) {
            // only a diagnostic
        }
        brokers.put(
                id, ChildJvm.start(classpath, "kafka.Kafka", List.of(config(id).toString()), log(id)));
    }

    /** Every broker's address, for clients' bootstrap.servers. */
    public String bootstrap() {
        return ports.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> brokerIds() {
        return List.copyOf(ports.keySet());
    }

    public String host(int brokerId) {
        return "127.0.0.1";
    }

    public int port(int brokerId) {
        return ports.get(brokerId);
    }

    public synchronized boolean isRunning(int brokerId) {
        Process p = brokers.get(brokerId);
        return p != null && p.isAlive();
    }

    /** SIGKILL: the broker dies at once, as in a crash; returns when the process is gone. */
    public synchronized void kill(int brokerId) {
        Process p = brokers.get(brokerId);
        p.destroyForcibly();
        await(p);
    }

    /** SIGTERM: Kafka's controlled shutdown moves its leaderships first; returns when the process is gone. */
    public synchronized void stop(int brokerId) {
        Process p = brokers.get(brokerId);
        p.destroy();
        await(p);
    }

    /** Starts a stopped or killed broker again with its data and waits until the controller has it unfenced. */
    public void restart(int brokerId) {
        synchronized (this) {
            if (isRunning(brokerId)) throw new IllegalStateException("broker " + brokerId + " is running");
            launch(brokerId);
        }
        awaitAlive(Set.of(brokerId));
    }

    /** Waits until every one of {@code ids} is registered and unfenced (listed by DescribeCluster). */
    public void awaitAlive(Collection<Integer> ids) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            for (int id : ids) {
                Process p = brokers.get(id);
                if (!p.isAlive())
                    throw new IllegalStateException(
                            "Kafka broker " + id + " exited with " + p.exitValue() + ":\n" + tail(log(id)));
            }
            if (!controller.isAlive())
                throw new IllegalStateException("Kafka controller exited:\n" + tail(dir.resolve("controller.log")));
            try {
                Set<Integer> alive = admin().describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
                        .map(Node::id)
                        .collect(Collectors.toSet());
                if (alive.containsAll(ids)) return;
            } catch (Exception e) {
                // not up yet
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder logs = new StringBuilder();
                for (int id : ids)
                    logs.append("--- broker ").append(id).append('\n').append(tail(log(id)));
                throw new IllegalStateException(
                        "Kafka brokers " + ids + " not alive within " + START_TIMEOUT + ":\n" + logs);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** An admin client of this cluster, owned by it (closed with it). */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    3000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    6000,
                    AdminClientConfig.RETRY_BACKOFF_MS_CONFIG,
                    100,
                    AdminClientConfig.METADATA_MAX_AGE_CONFIG,
                    1000));
        }
        return admin;
    }

    /** The last lines of a broker's log, for failure messages. */
    public String logTail(int brokerId) {
        return tail(log(brokerId));
    }

    @Override
    public synchronized void close() {
        if (admin != null) admin.close(Duration.ofSeconds(2));
        List<Process> all = new ArrayList<>(brokers.values());
        if (controller != null) all.add(controller);
        // the data is thrown away, so there is nothing to shut down cleanly
        all.forEach(Process::destroyForcibly);
        all.forEach(KafkaClusterOracle::await);
        deleteQuietly(dir);
    }

    private static void await(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path write(Path file, Map<String, String> props) throws IOException {
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())) + "\n";
        } catch (IOException e) {
            return "(no log: " + e + ")\n";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
