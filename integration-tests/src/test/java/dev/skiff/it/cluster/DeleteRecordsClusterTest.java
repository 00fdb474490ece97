package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.junit.Skiff;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * DeleteRecords on three brokers, with kafka-clients' Admin: as Kafka's, the answer waits until every replica on a
 * live broker starts at the offset, so a follower that had not heard of the deletion cannot be elected and serve
 * the deleted records again; a stopped broker's replica is not waited for.
 */
@Skiff(brokers = 3, properties = "default.replication.factor=3")
class DeleteRecordsClusterTest {

    private static final TopicPartition TP = new TopicPartition("trimmed", 0);

    @Test
    void deletedRecordsStayDeletedWhenAFollowerTakesOver(SkiffCluster cluster) throws Exception {
        cluster.createTopic(TP.topic(), 1, 3);
        produce(cluster, 10);
        int follower = (cluster.leader(TP.topic(), 0) + 1) % 3;
        cluster.cutReplication(follower);
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            KafkaFuture<DeletedRecords> deleting = admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(6)))
                    .lowWatermarks()
                    .get(TP);
            assertThrows(
                    TimeoutException.class,
                    () -> deleting.get(2, TimeUnit.SECONDS),
                    "answered while a live follower still starts at 0");
            assertFalse(deleting.isDone());
            cluster.restoreReplication(follower);
            assertTrue(deleting.get(30, TimeUnit.SECONDS).lowWatermark() >= 6);

            cluster.moveLeader(TP.topic(), 0, follower);
            assertEquals(6L, earliest(cluster), "the new leader starts where the deletion said");

            // a stopped broker is not waited for (the follower leads now, so this is the third broker)
            cluster.stopBroker((follower + 1) % 3);
            assertEquals(
                    8,
                    admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(8)))
                            .lowWatermarks()
                            .get(TP)
                            .get(30, TimeUnit.SECONDS)
                            .lowWatermark());
        }
    }

    private static void produce(SkiffCluster cluster, int count) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (int i = 0; i < count; i++)
                p.send(new ProducerRecord<>(TP.topic(), 0, null, "v" + i)).get(30, TimeUnit.SECONDS);
        }
    }

    private static long earliest(SkiffCluster cluster) {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            return c.beginningOffsets(List.of(TP), Duration.ofSeconds(30)).get(TP);
        }
    }
}
