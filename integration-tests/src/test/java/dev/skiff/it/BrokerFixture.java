package dev.skiff.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The broker a test class talks to: an {@link EmbeddedSkiff} started once per test class on a free port and a
 * fresh data dir, or, when the system property {@value #BOOTSTRAP_PROPERTY} is set to {@code host:port}, that
 * external broker (e.g. the real Kafka 0.8.1.1 one, to check the tests themselves). Use it as
 * <pre>{@code @RegisterExtension static final BrokerFixture broker = new BrokerFixture();}</pre>
 * Tests that need the broker in hand (restart, its configuration) call {@link #requireEmbedded(String)} and
 * are skipped against an external broker.
 */
public final class BrokerFixture implements BeforeAllCallback, AfterAllCallback {
    public static final String BOOTSTRAP_PROPERTY = "skiff.it.bootstrap";
    /** Kafka's default of socket.request.max.bytes, assumed for an external broker. */
    private static final String KAFKA_DEFAULT_MAX_REQUEST_BYTES = "104857600";

    private final Map<String, String> properties = new LinkedHashMap<>();
    private EmbeddedSkiff embedded;
    private String host;
    private int port;

    public BrokerFixture() {
        // like the reference broker, so that topics auto-created there and topics created here look alike
        properties.put("num.partitions", "3");
    }

    /** A broker property (Kafka's key name) for the embedded broker; ignored by an external one. */
    public BrokerFixture property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String external = System.getProperty(BOOTSTRAP_PROPERTY, "").trim();
        if (!external.isEmpty()) {
            int colon = external.lastIndexOf(':');
            host = external.substring(0, colon);
            port = Integer.parseInt(external.substring(colon + 1));
            return;
        }
        EmbeddedSkiff.Builder builder = EmbeddedSkiff.builder().port(0);
        properties.forEach(builder::property);
        embedded = builder.start();
        host = embedded.host();
        port = embedded.port();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, the form of {@code metadata.broker.list} and {@code bootstrap.servers}. */
    public String bootstrap() {
        return host + ":" + port;
    }

    /** The value of a broker property as this broker has it (an external broker is assumed to have Kafka's default). */
    public int intProperty(String key) {
        String value = isEmbedded() ? properties.get(key) : null;
        if (value == null && key.equals("socket.request.max.bytes")) {
            value = KAFKA_DEFAULT_MAX_REQUEST_BYTES;
        }
        if (value == null) {
            throw new IllegalArgumentException("no value known for " + key);
        }
        return Integer.parseInt(value);
    }

    /** Skips the calling test unless the broker is the embedded Skiff. */
    public void requireEmbedded(String why) {
        assumeTrue(isEmbedded(), () -> "needs the embedded Skiff broker (" + why + "); skipped against " + bootstrap());
    }

    /** A topic name no earlier run used: {@code prefix-xxxxxxxx}. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates the topic on the embedded broker. An external broker is expected to create it itself on the first
     * metadata request (auto.create.topics.enable, as Kafka 0.8 has by default, with num.partitions=3); callers
     * then wait for its leaders through a client.
     */
    public void createTopic(String name, int partitions) {
        if (isEmbedded()) {
            embedded.createTopic(name, partitions);
        }
    }

    /** Stops the embedded broker and starts it again on the same data dir and port; skips the test otherwise. */
    public void restart() {
        requireEmbedded("restarts the broker");
        embedded.restart();
        assertEquals(port, embedded.port(), "restart() keeps the port");
        assertEquals(host, embedded.host(), "restart() keeps the host");
    }
}
