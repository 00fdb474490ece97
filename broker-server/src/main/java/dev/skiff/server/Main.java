package dev.skiff.server;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import dev.skiff.server.zookeeper.ZooKeeperSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** {@code java -jar skiff-server.jar [flags]}: a standalone broker. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar skiff-server.jar [options]

              --host HOST              address to listen on (default 127.0.0.1)
              --port PORT              port to listen on (default 9092; 0 picks a free one)
              --data-dir DIR           where logs are kept (default ./skiff-data)
              --config FILE            a server.properties with Kafka's key names
              --topic NAME:PARTITIONS  create a topic at start (repeatable)
              --override KEY=VALUE     set one property (repeatable), e.g. num.partitions=3
              --in-memory              keep everything in memory (nothing is written to disk)
              --zookeeper-port PORT    start a ZooKeeper server for Kafka 0.8 consumers on 127.0.0.1:PORT
                                       (0 picks a free one) and register this broker in it
              --zookeeper-connect HOST:PORT  register this broker in an existing ZooKeeper instead
              --http-port PORT         serve the web console and /metrics on 127.0.0.1:PORT (0 picks a free
                                       one); skiff.http.listeners=http://HOST:PORT binds another address
              --brokers N              run N brokers in this process (default 1): broker i listens on
                                       127.0.0.(i+1) at the same port, data in DIR/broker-<i>
              --help                   show this help
            """;

    /** The parsed command line. */
    record Options(BrokerConfig config, Map<String, Integer> topics, boolean inMemory, boolean help, int brokers) {
        Options(BrokerConfig config, Map<String, Integer> topics, boolean inMemory, boolean help) {
            this(config, topics, inMemory, help, 1);
        }
    }

    public static void main(String[] args) {
        // The standalone server logs one line per event to stdout (StandaloneLogging, the shaded jar's SLF4J
        // provider); embedders keep their own logging setup.
        // Netty samples one buffer in 128 for leak tracking, each with a stack trace: a debugging aid that the
        // test suite keeps (it embeds the broker) and a production server need not pay for.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        // With java.nio opened to it (the jar's manifest does, for java -jar), Netty allocates its pooled direct
        // memory without the JDK's zeroing: the first request no longer waits ~25 ms for a fresh chunk to be
        // cleared, and pages of a chunk never written are never resident.
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        System.exit(run(args, System.out, System.err, true));
    }

    /** Runs the broker until it is stopped; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean waitForShutdown) {
        SkiffServer.ColdStart.loadInBackground();
        Options o;
        try {
            o = parse(args);
        } catch (ConfigException e) {
            err.println("skiff: " + e.getMessage());
            err.println("Try --help.");
            return 2;
        }
        if (o.help()) {
            out.print(USAGE);
            return 0;
        }
        // registered before anything starts, so that a stop at any moment from here on closes what was started
        StopOnShutdown stop = waitForShutdown ? StopOnShutdown.register() : null;
        Runnable close = null;
        try {
            close = o.brokers() > 1 ? startCluster(o, out, err) : startServer(o, out, err);
        } finally {
            if (stop != null) stop.settle(close);
        }
        if (close == null) return 1;
        if (stop == null) close.run(); // tests of the command line: closed at once
        else stop.awaitStop();
        return 0;
    }

    /** Starts one broker and says where it listens; returns what closes it, or null when it could not start. */
    private static Runnable startServer(Options o, PrintStream out, PrintStream err) {
        SkiffServer server;
        try {
            if (!o.inMemory()) checkDataDir(o.config().dataDir);
            server = o.inMemory()
                    ? SkiffServer.startInMemory(o.config(), o.topics())
                    : SkiffServer.start(o.config(), o.topics());
        } catch (SkiffServer.StartupException | ConfigException e) {
            err.println("skiff: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // not a condition we foresaw: the cause and where it came from, never a bare message (or "null")
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            err.println("skiff: cannot start: " + root);
            e.printStackTrace(err);
            return null;
        }
        out.println("Skiff is listening on " + server.host() + ":" + server.port()
                + (o.inMemory() ? " (in memory)" : " with data in " + o.config().dataDir));
        if (server.zookeeperConnect() != null) {
            out.println("Registered in ZooKeeper at " + server.zookeeperConnect() + " (for Kafka 0.8 consumers)");
        }
        if (server.consoleUrl() != null) out.println("Console at " + server.consoleUrl());
        return server::close;
    }

    /** --brokers N: starts a {@link SkiffCluster} of N brokers on the data dir; returns what closes it, or null. */
    private static Runnable startCluster(Options o, PrintStream out, PrintStream err) {
        SkiffCluster cluster;
        try {
            if (!o.inMemory()) checkDataDir(o.config().dataDir);
            Map<String, String> props = new LinkedHashMap<>(o.config().values());
            props.remove("host.name");
            props.remove("port");
            // the brokers of one process would all claim the console's port
            if (props.remove(dev.skiff.server.http.HttpSettings.LISTENERS_KEY) != null)
                err.println("skiff: the console is not offered with --brokers; starting without it");
            SkiffCluster.Builder b = SkiffCluster.builder()
                    .brokers(o.brokers())
                    .port(o.config().port)
                    .properties(props);
            if (o.inMemory()) b.inMemory();
            else b.root(o.config().dataDir);
            o.topics().forEach(b::topic);
            cluster = b.start();
        } catch (SkiffServer.StartupException | ConfigException e) {
            err.println("skiff: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            err.println("skiff: cannot start the cluster: " + e);
            e.printStackTrace(err);
            return null;
        }
        for (int i = 0; i < cluster.size(); i++)
            out.println("Skiff broker " + i + " is listening on " + cluster.host(i) + ":" + cluster.port(i)
                    + (o.inMemory()
                            ? " (in memory)"
                            : " with data in " + o.config().dataDir.resolve("broker-" + i)));
        if (cluster.zookeeperConnect() != null)
            out.println("Registered in ZooKeeper at " + cluster.zookeeperConnect() + " (for Kafka 0.8 consumers)");
        return cluster::close;
    }

    static Options parse(String[] args) {
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> flags = new LinkedHashMap<>();
        Map<String, Integer> topics = new LinkedHashMap<>();
        boolean inMemory = false;
        int brokers = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    return new Options(null, topics, false, true);
                }
                case "--in-memory" -> inMemory = true;
                case "--host",
                        "--port",
                        "--data-dir",
                        "--config",
                        "--topic",
                        "--override",
                        "--zookeeper-port",
                        "--zookeeper-connect",
                        "--http-port",
                        "--brokers" -> {
                    if (i + 1 >= args.length) throw new ConfigException(a + " needs a value");
                    String v = args[++i];
                    switch (a) {
                        case "--host" -> flags.put("host.name", v);
                        case "--port" -> flags.put("port", v);
                        case "--data-dir" -> flags.put("log.dirs", v);
                        case "--config" -> props.putAll(load(Path.of(v)));
                        case "--topic" -> addTopic(topics, v);
                        case "--zookeeper-port" -> flags.put(ZooKeeperSettings.PORT_KEY, v);
                        case "--zookeeper-connect" -> flags.put(ZooKeeperSettings.CONNECT_KEY, v);
                        case "--brokers" -> brokers = brokerCount(v);
                        case "--http-port" ->
                            flags.put(
                                    dev.skiff.server.http.HttpSettings.LISTENERS_KEY,
                                    "http://127.0.0.1:" + httpPort(v));
                        default -> {
                            int eq = v.indexOf('=');
                            if (eq <= 0) throw new ConfigException("--override needs KEY=VALUE, got " + v);
                            flags.put(v.substring(0, eq), v.substring(eq + 1));
                        }
                    }
                }
                default -> throw new ConfigException("unknown option " + a);
            }
        }
        if (flags.containsKey("host.name") || flags.containsKey("port")) props.remove("listeners");
        // a ZooKeeper flag replaces whichever ZooKeeper setting the config file had
        if (flags.containsKey(ZooKeeperSettings.PORT_KEY)) props.remove(ZooKeeperSettings.CONNECT_KEY);
        if (flags.containsKey(ZooKeeperSettings.CONNECT_KEY)) props.remove(ZooKeeperSettings.PORT_KEY);
        props.putAll(flags);
        return new Options(BrokerConfig.of(props), topics, inMemory, false, brokers);
    }

    private static int httpPort(String v) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException("--http-port needs a port from 0 to 65535, got " + v);
    }

    private static int brokerCount(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 254) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException("--brokers needs a number from 1 to 254, got " + v);
    }

    private static void addTopic(Map<String, Integer> topics, String spec) {
        int colon = spec.lastIndexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        int partitions;
        try {
            partitions = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("--topic needs NAME:PARTITIONS, got " + spec);
        }
        if (name.isEmpty() || partitions <= 0) throw new ConfigException("--topic needs NAME:PARTITIONS, got " + spec);
        topics.put(name, partitions);
    }

    private static Map<String, String> load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    /** Fails early, with the directory named, when the data dir cannot be created or written. */
    static void checkDataDir(Path dir) {
        try {
            Files.createDirectories(dir);
            // named by the pid rather than Files.createTempFile's random name: its SecureRandom costs a start ~15 ms
            Path probe =
                    dir.resolve(".skiff-write-check-" + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(probe); // a crashed process of the same pid may have left it
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new ConfigException("data dir " + dir + " is not writable ("
                    + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")");
        }
    }

    private Main() {}
}
