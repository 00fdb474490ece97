package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.junit.Skiff;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.SkiffCluster;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/** {@code @Skiff(brokers = 3)} hands tests the cluster and its controls; the embedding facade lists all brokers. */
@Skiff(brokers = 3, topics = "orders:3", properties = "default.replication.factor=3")
class ClusterExtensionTest {

    @Test
    void theExtensionInjectsTheClusterAndItsControlsWork(SkiffCluster cluster, EmbeddedSkiff facade) throws Exception {
        assertEquals(3, cluster.size());
        assertEquals(cluster.bootstrapServers(), facade.bootstrapServers());
        assertEquals(3, facade.partitions("orders"));
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            TopicDescription d = admin.describeTopics(List.of("orders"))
                    .allTopicNames()
                    .get()
                    .get("orders");
            assertEquals(3, d.partitions().get(0).replicas().size());
            int leader = cluster.leader("orders", 0);
            cluster.stopBroker(leader);
            assertFalse(cluster.isRunning(leader));
            int next = cluster.leader("orders", 0);
            assertTrue(next >= 0 && next != leader);
            assertFalse(cluster.image().partition("orders", 0).isr().contains(leader));
            cluster.restartBroker(leader);
            assertTrue(cluster.image().isAlive(leader));
        }
    }

    @Test
    void faultsReachOneBrokerOfTheCluster(SkiffCluster cluster) throws Exception {
        int leader = cluster.leader("orders", 1);
        var fault = cluster.faults(leader)
                .on(dev.skiff.protocol.ApiKeys.PRODUCE)
                .topic("orders")
                .times(1)
                .respondWith(dev.skiff.protocol.Errors.NOT_LEADER_OR_FOLLOWER);
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        p.put("retry.backoff.ms", "10");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                p,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("orders", 1, null, "v"))
                    .get();
        }
        assertEquals(1, fault.timesApplied(), "the client retried past the injected error");
    }

    @Test
    void theBuilderStartsAClusterToo() {
        try (EmbeddedSkiff three = EmbeddedSkiff.builder().brokers(3).inMemory().start()) {
            assertEquals(3, three.bootstrapServers().split(",").length);
            three.createTopic("t", 2, Map.of("retention.ms", "1000"));
            assertEquals(2, three.partitions("t"));
            assertEquals(
                    Map.of("retention.ms", "1000"),
                    three.cluster().image().topic("t").configs());
        }
        try (SkiffCluster two = EmbeddedSkiff.cluster(2)) {
            assertEquals(2, two.image().liveBrokers().size());
        }
    }
}
