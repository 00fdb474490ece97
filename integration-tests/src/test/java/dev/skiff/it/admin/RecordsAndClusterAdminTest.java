package dev.skiff.it.admin;

import static dev.skiff.it.admin.AdminClients.failure;
import static dev.skiff.it.admin.AdminClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DeleteRecords, DescribeCluster and DescribeLogDirs through kafka-clients 4.1.1's Admin. */
@Timeout(120)
class RecordsAndClusterAdminTest {

    static EmbeddedSkiff broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder().port(0).start();
        admin = AdminClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (broker != null) broker.close();
    }

    private static void produce(String topic, int n) throws Exception {
        try (KafkaProducer<String, String> p = AdminClients.producer(broker.bootstrapServers())) {
            for (int i = 0; i < n; i++)
                p.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
        }
    }

    @Test
    void deleteRecordsMovesTheStartAndConsumersBeginThere() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all());
        produce("trimmed", 10);
        TopicPartition tp = new TopicPartition("trimmed", 0);
        long low = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                        .lowWatermarks()
                        .get(tp))
                .lowWatermark();
        assertEquals(4, low);
        List<ConsumerRecord<String, String>> seen = AdminClients.readAll(broker.bootstrapServers(), tp);
        assertEquals(4, seen.get(0).offset(), "a consumer from the start begins at the new log start offset");
        assertEquals("v4", seen.get(0).value());
        assertEquals(6, seen.size());
        // beyond the high watermark: OFFSET_OUT_OF_RANGE (1), as in Kafka
        assertInstanceOf(
                OffsetOutOfRangeException.class,
                failure(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11)))
                        .all()));
        // -1 means the high watermark
        low = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1)))
                        .lowWatermarks()
                        .get(tp))
                .lowWatermark();
        assertEquals(10, low);
    }

    @Test
    void describeClusterIsThisBroker() throws Exception {
        DescribeClusterResult r = admin.describeCluster();
        Collection<Node> nodes = get(r.nodes());
        assertEquals(1, nodes.size());
        Node self = nodes.iterator().next();
        assertEquals(broker.port(), self.port());
        assertEquals(self.id(), get(r.controller()).id());
        assertFalse(get(r.clusterId()).isEmpty());
    }

    @Test
    void describeLogDirsListsPartitionSizes() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all());
        produce("sized", 5);
        int node = get(admin.describeCluster().nodes()).iterator().next().id();
        Map<String, LogDirDescription> dirs =
                get(admin.describeLogDirs(List.of(node)).allDescriptions()).get(node);
        assertEquals(1, dirs.size());
        LogDirDescription dir = dirs.values().iterator().next();
        ReplicaInfo p0 = dir.replicaInfos().get(new TopicPartition("sized", 0));
        ReplicaInfo p1 = dir.replicaInfos().get(new TopicPartition("sized", 1));
        assertTrue(p0.size() > 0, "partition 0 holds 5 records");
        assertEquals(0, p1.size());
        assertTrue(dir.totalBytes().isPresent());
    }
}
