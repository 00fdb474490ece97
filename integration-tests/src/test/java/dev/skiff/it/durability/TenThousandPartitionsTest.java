package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone broker under the common default soft limit of 1,024 open files ({@code ulimit -n 1024}) takes
 * 1,000 topics of 10 partitions (40,000 segment and index files), a record in every partition and a clean stop,
 * and after the restart serves every record; its descriptor count, read from {@code /proc}, stays below the
 * limit throughout (the open-file cap defaults to a quarter of the limit). Not timed: it takes two to three
 * minutes on two shared cores, most of it creating the files. A restart after SIGKILL is left out: recovery
 * then rebuilds and fsyncs every partition's active segment (30,000 fsyncs), which took over two minutes on
 * the loaded machine.
 */
class TenThousandPartitionsTest {

    private static final int TOPICS = 1_000;
    private static final int PARTITIONS = 10;
    private static final int OPEN_FILES = 1_024;
    private static final Duration START = Duration.ofSeconds(180);

    @Test
    @Timeout(600)
    void tenThousandPartitionsServeAndRestartWithinTheDefaultDescriptorLimit(@TempDir Path data) throws Exception {
        try (ChildBroker broker = ChildBroker.start(data, 0, List.of(), OPEN_FILES)) {
            String bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            createTopics(bootstrap);
            assertBelowLimit(broker, "after creating the topics");
            produceToEveryPartition(bootstrap);
            assertBelowLimit(broker, "after producing");
            broker.stop();
        }
        try (ChildBroker broker = ChildBroker.start(data, 0, List.of(), OPEN_FILES)) {
            String bootstrap = "127.0.0.1:" + broker.awaitPort(START);
            assertBelowLimit(broker, "after a clean restart");
            assertEveryRecordThere(bootstrap);
            assertBelowLimit(broker, "after reading every partition");
            broker.stop();
        }
    }

    private static String topic(int t) {
        return "wide-" + t;
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                "bootstrap.servers", bootstrap, "request.timeout.ms", 120_000, "default.api.timeout.ms", 120_000))) {
            for (int base = 0; base < TOPICS; base += 100) {
                List<NewTopic> batch = new ArrayList<>();
                for (int t = base; t < base + 100; t++) batch.add(new NewTopic(topic(t), PARTITIONS, (short) 1));
                admin.createTopics(batch).all().get(120, TimeUnit.SECONDS);
            }
        }
    }

    /** One record per partition, its value naming the partition; sent from many threads so that the producer's
     * metadata requests for the 1,000 topics overlap instead of running one after another. */
    private static void produceToEveryPartition(String bootstrap) throws Exception {
        Map<String, Object> props =
                Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 5, "max.block.ms", 120_000);
        ExecutorService senders = Executors.newFixedThreadPool(25);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<Future<List<Future<RecordMetadata>>>> perTopic = new ArrayList<>();
            for (int t = 0; t < TOPICS; t++) {
                int topic = t;
                perTopic.add(senders.submit(() -> {
                    List<Future<RecordMetadata>> sent = new ArrayList<>();
                    for (int p = 0; p < PARTITIONS; p++)
                        sent.add(producer.send(new ProducerRecord<>(topic(topic), p, null, topic(topic) + "/" + p)));
                    return sent;
                }));
            }
            for (Future<List<Future<RecordMetadata>>> f : perTopic)
                for (Future<RecordMetadata> ack : f.get(120, TimeUnit.SECONDS)) ack.get(120, TimeUnit.SECONDS);
        } finally {
            senders.shutdownNow();
        }
    }

    private static void assertEveryRecordThere(String bootstrap) {
        Map<String, Object> props =
                Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", false, "default.api.timeout.ms", 120_000);
        List<TopicPartition> all = new ArrayList<>();
        for (int t = 0; t < TOPICS; t++) for (int p = 0; p < PARTITIONS; p++) all.add(new TopicPartition(topic(t), p));
        Map<TopicPartition, List<String>> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            int records = 0;
            while (records < all.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>())
                            .add(r.value());
                    records++;
                }
            }
        }
        assertEquals(all.size(), seen.size(), "partitions holding a record");
        for (TopicPartition tp : all)
            assertEquals(List.of(tp.topic() + "/" + tp.partition()), seen.get(tp), "records of " + tp);
    }

    private static void assertBelowLimit(ChildBroker broker, String when) throws IOException {
        assertTrue(broker.isAlive(), "the broker died " + when + ":\n" + broker.output());
        long open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(broker.pid()), "fd"))) {
            open = fds.count();
        }
        assertTrue(open < OPEN_FILES, when + ": " + open + " descriptors open, the limit is " + OPEN_FILES);
    }
}
