package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CreateTopics request's topics are made with one sync of the topics directory for all, and their partition
 * directories only on first use. What a request acknowledged must come back whole after SIGKILL, whether its
 * partitions were used (records there) or not (no directory yet: an empty log); a topic that failed part way must
 * not come back at all; deleting and creating again after a batched creation must hold across a kill too.
 */
class BatchedTopicCreationTest {

    private static final Duration START = Duration.ofSeconds(120);
    private static final int PARTITIONS = 10;

    @Test
    @Timeout(300)
    void everyTopicOfAnAcknowledgedBatchSurvivesSigkill(@TempDir Path data) throws Exception {
        List<String> first = names("batch", 0, 300);
        ChildBroker broker = ChildBroker.start(data, 0, List.of());
        try {
            String bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            try (Admin admin = admin(bootstrap)) {
                for (int from = 0; from < first.size(); from += 100)
                    create(admin, first.subList(from, from + 100), PARTITIONS)
                            .all()
                            .get(60, TimeUnit.SECONDS);
            }
            // a record in partition 3 of every tenth topic: those directories exist, the others not yet
            produce(bootstrap, first, 10, 3);
            broker.kill();

            broker = ChildBroker.start(data, 0, List.of());
            bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            Map<String, Integer> expected = new TreeMap<>();
            for (String n : first) expected.put(n, PARTITIONS);
            assertEquals(expected, topics(bootstrap), "every acknowledged topic, every partition, after SIGKILL");
            assertRecords(bootstrap, first, 10, 3);

            // delete half, create some of those names again (fewer partitions): kill again
            try (Admin admin = admin(bootstrap)) {
                admin.deleteTopics(first.subList(0, 150)).all().get(60, TimeUnit.SECONDS);
                create(admin, first.subList(0, 50), 2).all().get(60, TimeUnit.SECONDS);
            }
            broker.kill();

            broker = ChildBroker.start(data, 0, List.of());
            bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            expected.clear();
            for (String n : first.subList(0, 50)) expected.put(n, 2);
            for (String n : first.subList(150, 300)) expected.put(n, PARTITIONS);
            assertEquals(expected, topics(bootstrap), "deleted topics stay deleted, the new ones are back");
            assertRecords(bootstrap, first.subList(150, 300), 10, 3);
            assertEquals(0, countRecords(bootstrap, first.get(0), 1), "a name created again starts empty");
        } finally {
            broker.close();
        }
    }

    @Test
    @Timeout(300)
    void aTopicThatFailsPartWayThroughABatchDoesNotComeBack(@TempDir Path data) throws Exception {
        List<String> batch = names("part", 0, 20);
        // a file where partition 3 of part-5 must go: its leftovers cannot be cleared, so that topic fails alone
        Files.writeString(data.resolve("part-5-3"), "in the way");
        ChildBroker broker = ChildBroker.start(data, 0, List.of());
        try {
            String bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            try (Admin admin = admin(bootstrap)) {
                CreateTopicsResult r = create(admin, batch, PARTITIONS);
                for (String n : batch) {
                    if (n.equals("part-5")) {
                        ExecutionException e = assertThrows(
                                ExecutionException.class,
                                () -> r.values().get(n).get(60, TimeUnit.SECONDS));
                        assertInstanceOf(KafkaStorageException.class, e.getCause());
                    } else {
                        assertNull(r.values().get(n).get(60, TimeUnit.SECONDS), n);
                    }
                }
            }
            assertFalse(topics(bootstrap).containsKey("part-5"));
            broker.kill();

            broker = ChildBroker.start(data, 0, List.of());
            bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            Map<String, Integer> expected = new TreeMap<>();
            for (String n : batch) if (!n.equals("part-5")) expected.put(n, PARTITIONS);
            assertEquals(expected, topics(bootstrap), "the failed topic is not back, the others are whole");
            assertTrue(Files.isRegularFile(data.resolve("part-5-3")), "nothing else was touched");
        } finally {
            broker.close();
        }
    }

    private static List<String> names(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(prefix + "-" + i);
        return out;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(
                Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 60_000, "default.api.timeout.ms", 60_000));
    }

    private static CreateTopicsResult create(Admin admin, List<String> names, int partitions) {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) topics.add(new NewTopic(n, partitions, (short) 1));
        return admin.createTopics(topics);
    }

    /** Every topic the broker lists (internal ones left out), with its partition count. */
    private static Map<String, Integer> topics(String bootstrap) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            var names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            Map<String, Integer> out = new TreeMap<>();
            for (TopicDescription d : admin.describeTopics(names)
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .values()) out.put(d.name(), d.partitions().size());
            return out;
        }
    }

    private static void produce(String bootstrap, List<String> topics, int every, int partition) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "max.block.ms", 60_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < topics.size(); i += every)
                acks.add(producer.send(new ProducerRecord<>(topics.get(i), partition, null, topics.get(i))));
            for (var ack : acks) ack.get(60, TimeUnit.SECONDS);
        }
    }

    /** Partition {@code partition} of every {@code every}th topic holds its one record, the others nothing. */
    private static void assertRecords(String bootstrap, List<String> topics, int every, int partition) {
        Map<String, Object> props =
                Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", false, "default.api.timeout.ms", 60_000);
        List<TopicPartition> all = new ArrayList<>();
        for (String t : topics) for (int p = 0; p < PARTITIONS; p++) all.add(new TopicPartition(t, p));
        Map<TopicPartition, List<String>> seen = new HashMap<>();
        int expected = (topics.size() + every - 1) / every;
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int records = 0;
            while (records < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>())
                            .add(r.value());
                    records++;
                }
            }
            for (TopicPartition tp : all) {
                int i = topics.indexOf(tp.topic());
                boolean holds = i % every == 0 && tp.partition() == partition;
                assertEquals(holds ? List.of(tp.topic()) : null, seen.get(tp), "records of " + tp);
                assertEquals(holds ? 1 : 0, consumer.position(tp), "end of " + tp);
            }
        }
    }

    private static long countRecords(String bootstrap, String topic, int partition) {
        Map<String, Object> props =
                Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", false, "default.api.timeout.ms", 60_000);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }
}
