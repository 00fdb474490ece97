package dev.skiff.it.oracle;

import dev.skiff.it.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka 4.x (KRaft, broker and controller in one process) in a child JVM, on free ports
 * and a fresh temporary directory, formatted by Kafka's own StorageTool; {@link #close()} kills it and deletes
 * everything. Used as the reference that Skiff's answers are compared with.
 */
public final class KafkaOracle implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private final Process process;

    /** Kafka client settings to reach the broker (empty for plain text, SASL settings for a secured start). */
    private final Map<String, Object> clientSecurity;

    private KafkaOracle(Path dir, int port, Process process) {
        this(dir, port, process, Map.of());
    }

    private KafkaOracle(Path dir, int port, Process process, Map<String, Object> clientSecurity) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.clientSecurity = clientSecurity;
    }

    /** The super user of a {@link #startSecured secured} Kafka, which the broker itself also logs in as. */
    public static final String ADMIN = "admin";

    /**
     * Starts Kafka secured: every listener (clients' and the controller's; the clients' keeps its name PLAINTEXT,
     * mapped to the protocol) SASL_PLAINTEXT with PLAIN, its users
     * given as Kafka's JAAS {@code user_<name>="<password>"} entries ({@code users} must hold {@link #ADMIN}, the
     * broker's own login), Kafka 4's {@code StandardAuthorizer}, {@code super.users=User:admin} and
     * {@code allow.everyone.if.no.acl.found=false}; then {@code overrides}. {@link #clientProperties} gives a
     * client's settings for one of the users.
     */
    public static KafkaOracle startSecured(Map<String, String> users, Map<String, String> overrides) {
        String adminPassword = users.get(ADMIN);
        if (adminPassword == null) throw new IllegalArgumentException("users must hold " + ADMIN);
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=\"" + ADMIN + "\" password=\"")
                .append(adminPassword)
                .append('"');
        users.forEach((u, pw) ->
                jaas.append(" user_").append(u).append("=\"").append(pw).append('"'));
        jaas.append(';');
        Map<String, String> secured = new LinkedHashMap<>();
        secured.put("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        secured.put("sasl.enabled.mechanisms", "PLAIN");
        secured.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        secured.put("sasl.mechanism.controller.protocol", "PLAIN");
        secured.put("listener.name.plaintext.plain.sasl.jaas.config", jaas.toString());
        secured.put("listener.name.controller.plain.sasl.jaas.config", jaas.toString());
        secured.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        secured.put("super.users", "User:" + ADMIN);
        secured.put("allow.everyone.if.no.acl.found", "false");
        secured.putAll(overrides);
        return start(secured, saslPlain(ADMIN, adminPassword));
    }

    /** kafka-clients settings for SASL_PLAINTEXT with PLAIN as {@code user}. */
    public static Map<String, Object> saslPlain(String user, String password) {
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "PLAIN",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    /** Client settings (bootstrap and security) to reach this broker; as the admin for a secured start. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> conf = new LinkedHashMap<>(clientSecurity);
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return conf;
    }

    /** Starts Kafka with test-friendly settings plus {@code overrides} (Kafka's broker keys). */
    public static KafkaOracle start(Map<String, String> overrides) {
        return start(overrides, Map.of());
    }

    /**
     * As {@link #start(Map)}, with the class directories (or jars) of {@code plugins} on Kafka's class path, for
     * plugins the test writes itself (a metrics reporter, say).
     */
    public static KafkaOracle startWithPlugins(Map<String, String> overrides, Class<?>... plugins) {
        StringBuilder extra = new StringBuilder();
        for (Class<?> c : plugins) {
            try {
                extra.append(java.io.File.pathSeparator)
                        .append(Path.of(c.getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI()));
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return start(overrides, Map.of(), extra.toString());
    }

    private static KafkaOracle start(Map<String, String> overrides, Map<String, Object> clientSecurity) {
        return start(overrides, clientSecurity, "");
    }

    private static KafkaOracle start(
            Map<String, String> overrides, Map<String, Object> clientSecurity, String extraClasspath) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kafka-oracle-");
            int[] free = FreePorts.distinct(2);
            int port = free[0];
            int controllerPort = free[1];
            Map<String, String> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", dir.resolve("data").toString());
            props.put("num.partitions", "1");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.putAll(overrides);
            Path config = dir.resolve("server.properties");
            StringBuilder text = new StringBuilder();
            props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(config, text, StandardCharsets.UTF_8);

            String cp = ChildJvm.classpath("kafka-broker") + extraClasspath;
            ChildJvm.Result format = ChildJvm.run(
                    cp,
                    "kafka.tools.StorageTool",
                    List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                    null,
                    Duration.ofSeconds(60));
            if (format.exitCode() != 0)
                throw new IllegalStateException("kafka-storage format failed:\n" + format.output());

            Path log = dir.resolve("kafka.log");
            Process process = ChildJvm.start(cp, "kafka.Kafka", List.of(config.toString()), log);
            KafkaOracle oracle = new KafkaOracle(dir, port, process, clientSecurity);
            oracle.awaitReady(log);
            return oracle;
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Map<String, Object> conf = clientProperties();
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Apache Kafka exited with " + process.exitValue() + ":\n" + tail(log));
                }
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(3, TimeUnit.SECONDS)
                            .isEmpty()) return;
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() - deadline > 0) {
                    close();
                    throw new IllegalStateException(
                            "Apache Kafka did not answer within " + START_TIMEOUT + ":\n" + tail(log));
                }
            }
        }
    }

    /** The process id of Kafka's JVM (to read its MBeans through the attach API). */
    public long pid() {
        return process.pid();
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        // the data is thrown away, so there is nothing to shut down cleanly
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(dir);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
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
