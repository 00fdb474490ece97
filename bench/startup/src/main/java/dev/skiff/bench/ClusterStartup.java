package dev.skiff.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * {@code StartupBenchmark --cluster [--runs N]}: time from start to a three-broker cluster whose every broker
 * answers Metadata listing all three, for Skiff's cluster in one process and for Apache Kafka's three brokers
 * plus a controller, each a KafkaRaftServer in this JVM (as Kafka's own cluster test kit runs them). Storage
 * formatting happens before the clock starts. The first sample of each includes loading its classes.
 *
 * <p>Skiff's side uses {@code dev.skiff.server.SkiffCluster} ({@code start(int)}, {@code host(int)},
 * {@code port(int)}, {@code close()}) through reflection, so this compiles before the cluster exists; it is
 * reported as absent until then.
 */
final class ClusterStartup {

    private static final int BROKERS = 3;
    private static final long TIMEOUT_MS = 180_000;

    private ClusterStartup() {}

    static void run(String[] args) throws Exception {
        int runs = 5;
        boolean kafka = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--skiff-only" -> kafka = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(
                "Java %s, %d CPUs: time to a %d-broker cluster answering Metadata (every broker, all listed)%n%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), BROKERS);
        System.out.println("| cluster | first | median | min | max | runs |");
        System.out.println("|---|---|---|---|---|---|");
        Class<?> skiff = skiffCluster();
        if (skiff == null) {
            System.out.println("| Skiff (SkiffCluster) | not built | | | | 0 |");
        } else {
            report("Skiff, " + BROKERS + " brokers in one process", sample(runs, () -> timeSkiff(skiff)));
        }
        if (kafka) {
            report(
                    "Apache Kafka 4.1.1, " + BROKERS + " KafkaRaftServer brokers + 1 controller, one JVM",
                    sample(runs, ClusterStartup::timeKafka));
        }
    }

    private interface Timed {
        long nanos() throws Exception;
    }

    private static long[] sample(int runs, Timed t) throws Exception {
        long[] s = new long[runs];
        for (int i = 0; i < runs; i++) s[i] = t.nanos();
        return s;
    }

    private static void report(String label, long[] nanos) {
        long first = nanos[0];
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        System.out.printf(
                "| %s | %s | %s | %s | %s | %d |%n",
                label,
                ms(first),
                ms(sorted[sorted.length / 2]),
                ms(sorted[0]),
                ms(sorted[sorted.length - 1]),
                nanos.length);
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static Class<?> skiffCluster() {
        try {
            return Class.forName("dev.skiff.server.SkiffCluster");
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static long timeSkiff(Class<?> type) throws Exception {
        Method start = type.getMethod("start", int.class);
        Method host = type.getMethod("host", int.class);
        Method port = type.getMethod("port", int.class);
        long t0 = System.nanoTime();
        AutoCloseable cluster = (AutoCloseable) start.invoke(null, BROKERS);
        try {
            for (int i = 0; i < BROKERS; i++)
                awaitAll((String) host.invoke(cluster, i), (Integer) port.invoke(cluster, i));
            return System.nanoTime() - t0;
        } finally {
            cluster.close();
        }
    }

    /** Waits until the broker answers Metadata listing every broker. */
    private static void awaitAll(String host, int port) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (true) {
            try {
                if (MetadataProbe.ask(host, port) >= BROKERS) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException(host + ":" + port + " never saw all");
            Thread.sleep(1);
        }
    }

    private static long timeKafka() throws Exception {
        Path dir = Files.createTempDirectory("kafka-cluster-bench-");
        String clusterId = Uuid.randomUuid().toString();
        int controllerId = 3000;
        int controllerPort = freePort();
        int[] ports = new int[BROKERS];
        for (int i = 0; i < BROKERS; i++) ports[i] = freePort();
        String voters = controllerId + "@127.0.0.1:" + controllerPort;

        List<Properties> configs = new ArrayList<>();
        Properties c = common(voters);
        c.put("process.roles", "controller");
        c.put("node.id", Integer.toString(controllerId));
        c.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("log.dirs", format(dir.resolve("controller"), controllerId, clusterId));
        configs.add(c);
        for (int i = 0; i < BROKERS; i++) {
            Properties b = common(voters);
            b.put("process.roles", "broker");
            b.put("node.id", Integer.toString(i));
            b.put("listeners", "PLAINTEXT://127.0.0.1:" + ports[i]);
            b.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[i]);
            b.put("inter.broker.listener.name", "PLAINTEXT");
            b.put("log.dirs", format(dir.resolve("broker-" + i), i, clusterId));
            configs.add(b);
        }

        List<KafkaRaftServer> servers = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (Properties p : configs) {
                KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
                servers.add(s);
                s.startup();
            }
            for (int i = 0; i < BROKERS; i++) awaitAll("127.0.0.1", ports[i]);
            return System.nanoTime() - t0;
        } finally {
            for (int i = servers.size() - 1; i >= 0; i--) {
                servers.get(i).shutdown();
                servers.get(i).awaitShutdown();
            }
            delete(dir);
        }
    }

    private static Properties common(String voters) {
        Properties p = new Properties();
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("offsets.topic.replication.factor", "3");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    private static String format(Path dir, int nodeId, String clusterId) throws Exception {
        Files.createDirectories(dir);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(dir.toString()))
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        return dir.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void delete(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
