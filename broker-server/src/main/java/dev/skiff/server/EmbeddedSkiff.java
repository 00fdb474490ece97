package dev.skiff.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
        boolean deleteDataDirOnClose;
        final Map<String, Integer> topics = new LinkedHashMap<>();
        final Map<String, String> properties = new LinkedHashMap<>();

        public Builder host(String host) { this.host = host; return this; }
        /** Port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) { this.port = port; return this; }
        /** Directory of the logs; by default a fresh temporary directory that close() deletes. */
        public Builder dataDir(Path dataDir) { this.dataDir = dataDir; return this; }
        /** A topic created at start (kept if it already exists in the data dir). */
        public Builder topic(String name, int partitions) { topics.put(name, partitions); return this; }
        /** A broker property with Kafka's key name, e.g. {@code num.partitions}. */
        public Builder property(String key, String value) { properties.put(key, value); return this; }
        public EmbeddedSkiff start() { throw new UnsupportedOperationException("being written"); }
    }

    public static Builder builder() { return new Builder(); }

    /** {@code host:port}, the same form as Testcontainers' KafkaContainer.getBootstrapServers(). */
    public String bootstrapServers() { return host() + ":" + port(); }
    public String host() { throw new UnsupportedOperationException("being written"); }
    public int port() { throw new UnsupportedOperationException("being written"); }
    public Path dataDir() { throw new UnsupportedOperationException("being written"); }
    public void createTopic(String name, int partitions) { throw new UnsupportedOperationException("being written"); }
    /** Stops and starts again on the same data dir and port. */
    public void restart() { throw new UnsupportedOperationException("being written"); }
    @Override public void close() { throw new UnsupportedOperationException("being written"); }
}
