package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The check every hostile test ends with: before the attack a well-behaved client writes records (acks=all)
 * and commits an offset; after it, a client on a fresh connection is still served, and the broker restarts on
 * the same data with every acknowledged record and the committed offset intact.
 *
 * <pre>{@code
 * Survival survival = Survival.before(broker);   // writes the baseline
 * ... attack over a raw socket ...
 * survival.assertServedAndRestartsIntact();      // serves, restarts, nothing lost
 * }</pre>
 */
public final class Survival {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedSkiff broker;
    private final String topic = "survivor-" + UUID.randomUUID().toString().substring(0, 8);
    private final String group = topic + "-group";
    private final List<String> acknowledged = new ArrayList<>();
    private long committed;

    private Survival(EmbeddedSkiff broker) {
        this.broker = broker;
    }

    /** Writes the baseline: 20 acknowledged records in two partitions and a committed offset of 7 on partition 0. */
    public static Survival before(EmbeddedSkiff broker) {
        Survival s = new Survival(broker);
        broker.createTopic(s.topic, 2);
        s.produce(20);
        s.commit(7);
        return s;
    }

    /** A normal client on a new connection is answered: produces one more record and reads everything back. */
    public void assertServed() {
        produce(1);
        assertEquals(acknowledged, readAll(), "a client on a fresh connection reads every acknowledged record");
    }

    /** Restarts the broker on the same data and checks records and committed offset. */
    public void assertRestartsIntact() {
        broker.restart();
        assertEquals(acknowledged, readAll(), "every acknowledged record survives the restart");
        assertEquals(committed, committedOffset(), "the committed offset survives the restart");
    }

    public void assertServedAndRestartsIntact() {
        assertServed();
        assertRestartsIntact();
        assertServed();
    }

    public String topic() {
        return topic;
    }

    private Map<String, Object> common() {
        return Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "request.timeout.ms",
                20_000,
                "default.api.timeout.ms",
                30_000);
    }

    private void produce(int n) {
        Map<String, Object> props = new java.util.HashMap<>(common());
        props.put("acks", "all");
        props.put("max.block.ms", 30_000);
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                String value = "v" + acknowledged.size();
                // all in partition 0, so reading back gives the order they were acknowledged in
                p.send(new ProducerRecord<>(topic, 0, "k", value)).get();
                acknowledged.add(value);
            }
        } catch (Exception e) {
            throw new AssertionError("a well-behaved producer was not served", e);
        }
    }

    private void commit(long offset) {
        Map<String, Object> props = new java.util.HashMap<>(common());
        props.put("group.id", group);
        props.put("enable.auto.commit", false);
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.commitSync(Map.of(tp, new OffsetAndMetadata(offset)));
            committed = offset;
        }
    }

    private long committedOffset() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new AssertionError("committed offsets could not be read", e);
        }
    }

    private List<String> readAll() {
        Map<String, Object> props = new java.util.HashMap<>(common());
        props.put("enable.auto.commit", false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.size() < acknowledged.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }
}
