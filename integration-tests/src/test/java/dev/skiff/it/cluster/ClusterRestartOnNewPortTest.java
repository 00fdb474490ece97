package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.it.FreePorts;
import dev.skiff.server.SkiffCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole cluster started again on its data at another port (what {@code --brokers 3 --port 0} does on every
 * start): the brokers start one by one, so the first ones start following leaders that the controller's image
 * still lists at their old addresses. Once those leaders register again at the new port, their followers must
 * fetch from there: with {@code min.insync.replicas=3} and an ISR that never shrinks, an acks=all produce to
 * every partition completes only if every follower copies from its leader's new address, and each broker, made
 * leader in turn, then serves the same records.
 */
class ClusterRestartOnNewPortTest {

    private static final String TOPIC = "moved";
    private static final int PARTITIONS = 3;

    @TempDir
    Path root;

    @Test
    @Timeout(180)
    void followersFetchFromTheirLeadersNewAddress() throws Exception {
        int[] ports = FreePorts.distinct(2);
        Map<String, String> props = Map.of(
                "default.replication.factor", "3",
                "min.insync.replicas", "3",
                "offsets.topic.replication.factor", "3",
                // a follower that cannot reach its leader must hold acks=all up, not leave the ISR
                "replica.lag.time.max.ms", "600000");
        try (SkiffCluster c = cluster(ports[0], props)) {
            assumeTrue(c.port(0) == ports[0] && c.port(2) == ports[0], "brokers share one port on 127.0.0.x");
            c.createTopic(TOPIC, PARTITIONS, 3);
            // spread the leaders, so that some lead from a broker that starts after its followers next time
            for (int p = 0; p < PARTITIONS; p++) c.moveLeader(TOPIC, p, p);
            produce(c, 0);
        }
        try (SkiffCluster c = cluster(ports[1], props)) {
            produce(c, 10);
            for (int p = 0; p < PARTITIONS; p++) {
                for (int leader = 0; leader < 3; leader++) {
                    c.moveLeader(TOPIC, p, leader);
                    assertEquals(expected(), read(c, p), TOPIC + "-" + p + " led by " + leader);
                }
            }
        }
    }

    private SkiffCluster cluster(int port, Map<String, String> props) {
        return SkiffCluster.builder()
                .brokers(3)
                .root(root)
                .port(port)
                .properties(props)
                .start();
    }

    /** Ten records per partition, "from" to "from + 9", each acknowledged by all three replicas. */
    private static void produce(SkiffCluster c, int from) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int partition = 0; partition < PARTITIONS; partition++)
                for (int i = from; i < from + 10; i++)
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, partition, null, Integer.toString(i))));
            for (Future<RecordMetadata> f : sent) f.get(90, TimeUnit.SECONDS);
        }
    }

    private static List<String> expected() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) values.add(Integer.toString(i));
        return values;
    }

    private static List<String> read(SkiffCluster c, int partition) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> k = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            k.assign(List.of(tp));
            k.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < 20 && System.nanoTime() < deadline)
                for (ConsumerRecord<String, String> r :
                        k.poll(Duration.ofMillis(200)).records(tp)) values.add(r.value());
            return values;
        }
    }
}
