package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.SkiffCluster;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.junit.jupiter.api.Test;

/**
 * DescribeTopicPartitions in a cluster answers from the controller's image, on every broker: leaders, epochs,
 * replicas and ISR as the image has them, through Admin.describeTopics in pages of one partition, and offline
 * replicas once a broker is stopped.
 */
class DescribeTopicPartitionsClusterTest {

    @Test
    void everyBrokerAnswersFromTheControllersImage() throws Exception {
        try (SkiffCluster cluster = SkiffCluster.builder().brokers(3).start()) {
            cluster.createTopic("spread", 4, 3);
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                TopicDescription d = admin.describeTopics(
                                List.of("spread"), new DescribeTopicsOptions().partitionSizeLimitPerResponse(1))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get("spread");
                TopicImage image = cluster.image().topic("spread");
                assertEquals(4, d.partitions().size());
                for (int i = 0; i < 4; i++) {
                    PartitionRegistration p = image.partition(i);
                    assertEquals(p.leader(), d.partitions().get(i).leader().id());
                    assertEquals(
                            p.replicas(),
                            d.partitions().get(i).replicas().stream()
                                    .map(Node::id)
                                    .toList());
                    assertEquals(
                            p.isr(),
                            d.partitions().get(i).isr().stream().map(Node::id).toList());
                }
            }
            cluster.stopBroker(2);
            for (int id = 0; id < 2; id++) {
                int broker = id;
                DescribeTopicPartitionsResponseData r = Poll.until(
                        "broker 2 offline in broker " + broker + "'s answer",
                        () -> ask(cluster, broker),
                        a -> a.topics().iterator().next().partitions().stream()
                                .allMatch(p -> p.offlineReplicas().equals(List.of(2)) && p.leaderId() != 2));
                assertEquals(2, r.topics().iterator().next().partitions().size(), "a page of two partitions");
                assertEquals("spread", r.nextCursor().topicName());
                assertEquals(2, r.nextCursor().partitionIndex());
                for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition p :
                        r.topics().iterator().next().partitions()) {
                    PartitionRegistration reg = cluster.image().topic("spread").partition(p.partitionIndex());
                    assertEquals(reg.leaderEpoch(), p.leaderEpoch());
                    assertEquals(reg.replicas(), p.replicaNodes());
                }
            }
            DescribeTopicPartitionsResponseData unknown;
            try (KafkaWire wire = new KafkaWire(cluster.host(0), cluster.port(0))) {
                unknown = wire.send(
                        new DescribeTopicPartitionsRequestData()
                                .setTopics(
                                        List.of(new DescribeTopicPartitionsRequestData.TopicRequest().setName("nope"))),
                        0);
            }
            assertEquals(3, unknown.topics().iterator().next().errorCode()); // UNKNOWN_TOPIC_OR_PARTITION
            assertNull(unknown.nextCursor());
        }
    }

    private static DescribeTopicPartitionsResponseData ask(SkiffCluster cluster, int broker) throws Exception {
        try (KafkaWire wire = new KafkaWire(cluster.host(broker), cluster.port(broker))) {
            return wire.send(
                    new DescribeTopicPartitionsRequestData()
                            .setResponsePartitionLimit(2)
                            .setTopics(
                                    List.of(new DescribeTopicPartitionsRequestData.TopicRequest().setName("spread"))),
                    0);
        }
    }
}
