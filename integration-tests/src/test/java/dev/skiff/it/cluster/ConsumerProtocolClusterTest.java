package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KIP-848 consumer group in a three-broker cluster: its coordinator is the leader of its {@code
 * __consumer_offsets} partition; when that broker dies the group's coordinator moves with the partition's new
 * leader, which loads the group's records, and the consumer carries on from its committed offsets.
 */
class ConsumerProtocolClusterTest {

    @Test
    @Timeout(120)
    void theGroupFollowsItsCoordinatorWhenTheLeaderDies() throws Exception {
        try (SkiffCluster cluster = SkiffCluster.builder()
                        .brokers(3)
                        .property("replica.lag.time.max.ms", "1000")
                        .property("group.consumer.heartbeat.interval.ms", "200")
                        .property("group.consumer.session.timeout.ms", "10000")
                        .start();
                Admin admin = Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        30_000))) {
            admin.createTopics(List.of(new NewTopic("events", 3, (short) 3)))
                    .all()
                    .get();
            produce(cluster, 0, 30);
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "moving");
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.subscribe(List.of("events"));
                Poll.until(Duration.ofSeconds(30), "the first 30 records", () -> read(consumer, seen), n -> n == 30);
                consumer.commitSync();
                ConsumerGroupDescription before = describe(admin);
                int coordinator = before.coordinator().id();
                assertEquals(GroupType.CONSUMER, before.type());
                cluster.killBroker(coordinator);
                produce(cluster, 30, 30);
                Poll.until(Duration.ofSeconds(60), "the next 30 records", () -> read(consumer, seen), n -> n == 60);
                consumer.commitSync();
                ConsumerGroupDescription after = Poll.until(
                        Duration.ofSeconds(30),
                        "the group at its new coordinator",
                        () -> describe(admin),
                        d -> d.coordinator().id() != coordinator);
                assertNotEquals(coordinator, after.coordinator().id());
                assertEquals(1, after.members().size());
                assertEquals(GroupType.CONSUMER, after.type());
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 60; i++) expected.add("v" + i);
                List<String> sorted = new ArrayList<>(seen);
                sorted.sort(
                        (a, b) -> Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
                assertEquals(expected, sorted, "every record once");
            }
        }
    }

    private static int read(KafkaConsumer<String, String> consumer, List<String> seen) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) seen.add(r.value());
        return seen.size();
    }

    private static ConsumerGroupDescription describe(Admin admin) throws Exception {
        return admin.describeConsumerGroups(List.of("moving")).all().get().get("moving");
    }

    private static void produce(SkiffCluster cluster, int from, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + count; i++)
                producer.send(new ProducerRecord<>("events", "v" + i)).get();
        }
    }
}
