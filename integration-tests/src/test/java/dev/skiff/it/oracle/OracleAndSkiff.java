package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Apache Kafka (the oracle) and Skiff side by side with the same settings, started once per test class:
 * <pre>{@code @RegisterExtension static final OracleAndSkiff brokers = new OracleAndSkiff();}</pre>
 * {@link #same} asks both the same question and asserts the same answer.
 */
public final class OracleAndSkiff implements BeforeAllCallback, AfterAllCallback {

    /** One of the two brokers. */
    public record Target(String name, String host, int port) {
        public String bootstrap() {
            return host + ":" + port;
        }

        public KafkaWire connect() throws java.io.IOException {
            return new KafkaWire(host, port);
        }

        /** Waits until FindCoordinator (v4) names a coordinator for {@code group} on this broker. */
        public void awaitGroupCoordinator(String group) {
            Poll.until(
                    "the group coordinator of " + name + " for " + group,
                    () -> {
                        try (KafkaWire wire = connect()) {
                            FindCoordinatorResponseData r = wire.send(
                                    new FindCoordinatorRequestData()
                                            .setKeyType((byte) 0)
                                            .setCoordinatorKeys(List.of(group)),
                                    4);
                            return Errors.forCode(r.coordinators().get(0).errorCode());
                        }
                    },
                    e -> e == Errors.NONE);
        }
    }

    /** Group answers that mean "ask again": the coordinator is still loading on a fresh broker. */
    public static final Set<String> COORDINATOR_NOT_READY = Set.of(
            Errors.COORDINATOR_NOT_AVAILABLE.name(),
            Errors.COORDINATOR_LOAD_IN_PROGRESS.name(),
            Errors.NOT_COORDINATOR.name());

    /** A question for one broker; may throw. */
    @FunctionalInterface
    public interface Question<T> {
        T ask(Target target) throws Exception;
    }

    private final Map<String, String> properties = new LinkedHashMap<>();
    private KafkaOracle kafka;
    private EmbeddedSkiff skiff;

    public OracleAndSkiff() {
        properties.put("auto.create.topics.enable", "false");
        properties.put("num.partitions", "1");
    }

    /** A broker setting (Kafka's key) given to both. */
    public OracleAndSkiff property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        skiff = EmbeddedSkiff.builder().properties(properties).start();
        kafka = KafkaOracle.start(properties);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) kafka.close();
        if (skiff != null) skiff.close();
    }

    public Target oracle() {
        return new Target("Apache Kafka", kafka.host(), kafka.port());
    }

    public Target skiff() {
        return new Target("Skiff", skiff.host(), skiff.port());
    }

    public EmbeddedSkiff embeddedSkiff() {
        return skiff;
    }

    public List<Target> both() {
        return List.of(oracle(), skiff());
    }

    /** Creates a topic on both brokers and waits until Kafka has its leaders. */
    public void createTopic(String name, int partitions) throws Exception {
        skiff.createTopic(name, partitions);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Poll.until(
                    "leaders of " + name + " on Apache Kafka",
                    () -> admin.describeTopics(List.of(name))
                            .allTopicNames()
                            .get()
                            .get(name)
                            .partitions(),
                    ps -> ps.size() == partitions
                            && ps.stream()
                                    .allMatch(p ->
                                            p.leader() != null && !p.leader().isEmpty()));
        }
    }

    /** Asks both brokers; asserts Skiff answers what Apache Kafka answers and returns that answer. */
    public <T> T same(String what, Question<T> question) throws Exception {
        T expected = question.ask(oracle());
        T actual = question.ask(skiff());
        assertEquals(expected, actual, what + ": Skiff's answer differs from Apache Kafka's");
        return expected;
    }
}
