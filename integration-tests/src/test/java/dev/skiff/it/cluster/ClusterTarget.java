package dev.skiff.it.cluster;

import dev.skiff.it.Poll;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A cluster of three brokers that the failover scenarios run against, the same way for Skiff's cluster in one
 * process and for a three-node Apache Kafka: where clients connect, how one broker is killed, stopped and
 * restarted, and what Admin reports of leaders and in-sync replicas. Everything observed goes through Kafka's
 * own Admin client, so both sides are judged by what a client sees.
 */
public interface ClusterTarget extends AutoCloseable {

    /** How long a failover may take: the controller notices a dead broker, then elects. */
    Duration FAILOVER = Duration.ofSeconds(60);

    /** "kafka" or "skiff", for messages. */
    String name();

    /** Every broker's address, for bootstrap.servers. */
    String bootstrap();

    List<Integer> brokerIds();

    /** The host and port broker {@code brokerId} advertises. */
    String host(int brokerId);

    int port(int brokerId);

    /** Abrupt death: connections reset, in-flight requests never answered. Returns once it is dead. */
    void kill(int brokerId);

    /** Orderly shutdown. Returns once it is down. */
    void stop(int brokerId);

    /** Starts a stopped or killed broker with its data; returns once the cluster counts it alive. */
    void restart(int brokerId);

    /** An admin client owned by the target. */
    Admin admin();

    /** Whether Kafka 0.8 clients can use it (Skiff yes; Kafka 4 refuses their request versions). */
    default boolean speaksKafka08() {
        return false;
    }

    @Override
    void close();

    // ---- what clients see, through Admin ----

    default Set<Integer> liveBrokers() throws Exception {
        return admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                .map(Node::id)
                .collect(Collectors.toSet());
    }

    default TopicPartitionInfo partition(String topic, int partition) throws Exception {
        TopicDescription d = admin().describeTopics(List.of(topic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(topic);
        return d.partitions().get(partition);
    }

    /** The leader Admin reports, -1 for none. */
    default int leaderOf(String topic, int partition) throws Exception {
        Node leader = partition(topic, partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    default Set<Integer> isr(String topic, int partition) throws Exception {
        return partition(topic, partition).isr().stream().map(Node::id).collect(Collectors.toSet());
    }

    default List<Integer> replicas(String topic, int partition) throws Exception {
        return partition(topic, partition).replicas().stream().map(Node::id).toList();
    }

    /** Creates a topic with {@code replicationFactor} replicas per partition and waits for every leader. */
    default void createTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs)
            throws Exception {
        NewTopic t =
                new NewTopic(topic, Optional.of(partitions), Optional.of((short) replicationFactor)).configs(configs);
        admin().createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        awaitLeaders(topic, partitions);
    }

    /** Creates a topic with these replicas per partition (the first is the preferred leader). */
    default void createTopic(String topic, Map<Integer, List<Integer>> assignment, Map<String, String> configs)
            throws Exception {
        admin().createTopics(List.of(new NewTopic(topic, assignment).configs(configs)))
                .all()
                .get(30, TimeUnit.SECONDS);
        awaitLeaders(topic, assignment.size());
    }

    private void awaitLeaders(String topic, int partitions) {
        Poll.until(
                "a leader for every partition of " + topic,
                () -> {
                    for (int p = 0; p < partitions; p++) if (leaderOf(topic, p) < 0) return false;
                    return true;
                },
                ok -> ok);
    }

    /** Waits until the partition has a leader other than {@code old}; returns it. */
    default int awaitNewLeader(String topic, int partition, int old) {
        return Poll.until(
                FAILOVER,
                "a leader of " + topic + "-" + partition + " other than " + old,
                () -> leaderOf(topic, partition),
                l -> l >= 0 && l != old);
    }

    /** Waits until the partition's ISR is exactly {@code expected}. */
    default void awaitIsr(String topic, int partition, Set<Integer> expected) {
        Poll.until(
                FAILOVER,
                "ISR of " + topic + "-" + partition + " = " + expected,
                () -> isr(topic, partition),
                expected::equals);
    }

    /** Waits until every replica of every partition of these topics is in sync again. */
    default void awaitFullIsr(String... topics) {
        Poll.until(
                FAILOVER,
                "every replica in sync for " + List.of(topics),
                () -> {
                    for (String topic : topics) {
                        TopicDescription d = admin().describeTopics(List.of(topic))
                                .allTopicNames()
                                .get(10, TimeUnit.SECONDS)
                                .get(topic);
                        for (TopicPartitionInfo p : d.partitions()) {
                            if (!new HashSet<>(p.isr()).equals(new HashSet<>(p.replicas()))) return false;
                        }
                    }
                    return true;
                },
                ok -> ok);
    }

    /** Waits until the cluster lists exactly these brokers as alive. */
    default void awaitLive(Set<Integer> expected) {
        Poll.until(FAILOVER, "live brokers " + expected, this::liveBrokers, expected::equals);
    }

    /** Unwraps the cause of a failed client future. */
    static Throwable cause(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) t = t.getCause();
        return t;
    }
}
