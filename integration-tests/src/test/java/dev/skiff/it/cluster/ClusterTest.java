package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three brokers in one process with kafka-clients 4.x: metadata, admin through the controller, failover. */
class ClusterTest {

    private SkiffCluster cluster;
    private Admin admin;

    @BeforeEach
    void start() {
        // a cut follower leaves the ISR after replica.lag.time.max.ms: short here so the test does not wait 30 s,
        // long enough that a follower of a loaded 2-core machine (fetching every 500 ms) is not taken for one
        cluster = SkiffCluster.builder()
                .brokers(3)
                .property("replica.lag.time.max.ms", "5000")
                .start();
        admin = admin();
    }

    @AfterEach
    void stop() {
        if (admin != null) admin.close(Duration.ZERO);
        if (cluster != null) cluster.close();
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return Admin.create(p);
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    @Test
    void threeBrokersAnswerAndLeadersAreSpread() throws Exception {
        Collection<Node> nodes = admin.describeCluster().nodes().get();
        assertEquals(Set.of(0, 1, 2), nodes.stream().map(Node::id).collect(Collectors.toSet()));
        assertEquals(0, admin.describeCluster().controller().get().id());
        assertEquals(3, cluster.bootstrapServers().split(",").length);
        admin.createTopics(List.of(new NewTopic("spread", 3, (short) 3))).all().get();
        TopicDescription d = describe("spread");
        Set<Integer> leaders = new HashSet<>();
        for (TopicPartitionInfo p : d.partitions()) {
            assertEquals(3, p.replicas().size());
            assertEquals(3, p.isr().size());
            leaders.add(p.leader().id());
        }
        assertEquals(Set.of(0, 1, 2), leaders, "one leader per broker");
        // every broker answers metadata listing all three
        for (int i = 0; i < 3; i++) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.host(i) + ":" + cluster.port(i));
            try (Admin one = Admin.create(p)) {
                assertEquals(3, one.describeCluster().nodes().get().size());
            }
        }
    }

    @Test
    void adminCreatesGrowsAndDeletesThroughTheController() throws Exception {
        admin.createTopics(List.of(new NewTopic("t", 2, (short) 2))).all().get();
        admin.createPartitions(Map.of("t", NewPartitions.increaseTo(5))).all().get();
        assertEquals(5, describe("t").partitions().size());
        assertEquals(5, cluster.image().topic("t").partitions().size());
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("too-many", 1, (short) 4)))
                        .all()
                        .get());
        assertInstanceOf(InvalidReplicationFactorException.class, e.getCause());
        admin.createTopics(List.of(new NewTopic("manual", Map.of(0, List.of(2, 1), 1, List.of(1, 0)))))
                .all()
                .get();
        assertEquals(2, describe("manual").partitions().get(0).leader().id());
        admin.deleteTopics(List.of("t")).all().get();
        assertFalse(admin.listTopics().names().get().contains("t"));
        assertTrue(cluster.image().topic("t") == null);
    }

    @Test
    void killedLeaderIsReplacedFromTheIsrAndComesBack() throws Exception {
        admin.createTopics(List.of(new NewTopic("fail", Map.of(0, List.of(1, 2, 0)))))
                .all()
                .get();
        produce("fail", "before");
        cluster.killBroker(1);
        assertEquals(2, cluster.leader("fail", 0));
        TopicPartitionInfo p = Poll.until(
                "a new leader in metadata",
                () -> describe("fail").partitions().get(0),
                i -> i.leader() != null && i.leader().id() == 2);
        assertEquals(List.of(2, 0), p.isr().stream().map(Node::id).toList());
        assertEquals(2, admin.describeCluster().nodes().get().size());
        cluster.restartBroker(1);
        Poll.until(
                "broker 1 listed again", () -> admin.describeCluster().nodes().get(), n -> n.size() == 3);
        Poll.until(
                "broker 1 back in the ISR",
                () -> describe("fail").partitions().get(0).isr().size(),
                n -> n == 3);
        admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition("fail", 0)))
                .partitions()
                .get();
        assertEquals(1, cluster.leader("fail", 0));
        // the returned broker caught up before it rejoined the ISR: nothing acknowledged is lost
        produce("fail", "after");
        assertEquals(List.of("before", "after"), readAll("fail"));
    }

    @Test
    void wholeClusterRestartKeepsTopicsAssignmentsAndEpochs() throws Exception {
        admin.createTopics(List.of(new NewTopic("kept", 3, (short) 2))).all().get();
        cluster.moveLeader(
                "kept", 0, cluster.image().partition("kept", 0).replicas().get(1));
        var before = cluster.image().topic("kept");
        produce("kept", "durable");
        admin.close(Duration.ZERO);
        cluster.restart();
        admin = admin();
        var after = cluster.image().topic("kept");
        assertEquals(before.id(), after.id());
        for (int i = 0; i < 3; i++) {
            assertEquals(before.partition(i).replicas(), after.partition(i).replicas());
            assertEquals(before.partition(i).leader(), after.partition(i).leader());
            assertEquals(before.partition(i).leaderEpoch(), after.partition(i).leaderEpoch());
        }
        assertEquals(3, admin.describeCluster().nodes().get().size());
        assertEquals(Set.of("durable"), Set.copyOf(readAll("kept")));
    }

    @Test
    void aFollowerAnswersNotLeaderSoClientsFindTheLeader() throws Exception {
        admin.createTopics(List.of(new NewTopic("moving", Map.of(0, List.of(0, 1, 2)))))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("moving", "one")).get();
            cluster.moveLeader("moving", 0, 2);
            // the client's cached leader (0) answers NOT_LEADER_OR_FOLLOWER: it refreshes and goes to 2
            producer.send(new ProducerRecord<>("moving", "two")).get();
        }
        assertNotEquals(0, cluster.leader("moving", 0));
        // acks=all: both were copied to every in-sync replica before they were acknowledged
        assertEquals(List.of("one", "two"), readAll("moving"));
    }

    @Test
    void aCutBrokerLeavesTheIsrButServesAndRejoinsWhenRestored() throws Exception {
        admin.createTopics(List.of(new NewTopic("cut", Map.of(0, List.of(0, 1, 2)))))
                .all()
                .get();
        cluster.cutReplication(2);
        Poll.until(
                "broker 2 out of the ISR",
                () -> describe("cut").partitions().get(0).isr().stream()
                        .map(Node::id)
                        .toList(),
                isr -> isr.equals(List.of(0, 1)));
        assertEquals(3, admin.describeCluster().nodes().get().size(), "a cut broker still serves clients");
        cluster.restoreReplication(2);
        Poll.until(
                "broker 2 back in the ISR",
                () -> describe("cut").partitions().get(0).isr().size(),
                n -> n == 3);
    }

    /**
     * A transaction over partitions led by every broker, so at least two are led by brokers other than its
     * coordinator: each leader verifies the transactional batches with that coordinator (a leader that asked
     * only its own broker's coordinator refused them as INVALID_TXN_STATE), and read_committed consumers see
     * every record once the commit's markers are in.
     */
    @Test
    void aTransactionCommitsIntoPartitionsLedByEveryBroker() throws Exception {
        admin.createTopics(List.of(
                        new NewTopic("txn", Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0), 2, List.of(2, 0, 1)))))
                .all()
                .get();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-everywhere");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>("txn", i, null, "v" + i));
            producer.commitTransaction();
        }
        assertEquals(
                List.of("v0", "v1", "v2"),
                readAll("txn", "read_committed").stream().sorted().toList());
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private void produce(String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, value)).get();
        }
    }

    private List<String> readAll(String topic) {
        return readAll(topic, "read_uncommitted");
    }

    private List<String> readAll(String topic, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<String> out = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
            }
            return out;
        }
    }
}
