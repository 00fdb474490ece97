package dev.skiff.it.admin;

import static dev.skiff.it.admin.AdminClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compaction of a topic that transactions write to, as Kafka's cleaner does it: a record of an aborted
 * transaction never takes the place of a committed one (aborted data is removed, not counted as the latest
 * value of its key), and nothing at or after the first offset of a transaction still open is compacted, since
 * that transaction may yet abort.
 */
@Timeout(120)
class CompactionAndTransactionsTest {

    static EmbeddedSkiff broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .port(0)
                .property("log.segment.bytes", "1024") // many small segments
                .property("log.cleaner.backoff.ms", "100")
                .start();
        admin = AdminClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (broker != null) broker.close();
    }

    @Test
    void anAbortedValueIsRemovedAndTheCommittedOneKept() throws Exception {
        TopicPartition tp = compactedTopic("aborted-over-committed");
        try (KafkaProducer<String, String> plain = AdminClients.producer(broker.bootstrapServers());
                KafkaProducer<String, String> txn = transactional("aborted-over-committed")) {
            plain.send(new ProducerRecord<>(tp.topic(), 0, "k", "committed")).get();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>(tp.topic(), 0, "k", "aborted")).get();
            txn.abortTransaction();
            fill(plain, tp, "filler", 40); // k's records into inactive segments
        }
        // Kafka's cleaner drops the aborted record; until it has, read_uncommitted shows k twice
        List<String> kept = Poll.until(
                "the cleaner to leave one record of k",
                () -> valuesOf("k", read(tp, "read_uncommitted")),
                values -> values.size() == 1);
        assertEquals(List.of("committed"), kept);
        assertEquals(List.of("committed"), valuesOf("k", read(tp, "read_committed")));
    }

    @Test
    void nothingFromAnOpenTransactionOnIsCompacted() throws Exception {
        TopicPartition tp = compactedTopic("open-transaction");
        try (KafkaProducer<String, String> plain = AdminClients.producer(broker.bootstrapServers());
                KafkaProducer<String, String> txn = transactional("open-transaction")) {
            plain.send(new ProducerRecord<>(tp.topic(), 0, "early", "1")).get();
            plain.send(new ProducerRecord<>(tp.topic(), 0, "early", "2")).get();
            fill(plain, tp, "before", 20); // "early" twice, below the transaction: compactable
            plain.send(new ProducerRecord<>(tp.topic(), 0, "k", "committed")).get();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>(tp.topic(), 0, "k", "pending")).get();
            fill(plain, tp, "after", 40);
            // once "early" is compacted the cleaner has run over the log with the transaction open
            Poll.until(
                    "the cleaner to compact below the open transaction",
                    () -> valuesOf("early", read(tp, "read_uncommitted")),
                    values -> values.equals(List.of("2")));
            assertEquals(List.of("committed", "pending"), valuesOf("k", read(tp, "read_uncommitted")));
            txn.abortTransaction();
        }
        assertEquals(List.of("committed"), valuesOf("k", read(tp, "read_committed")));
        List<String> kept = Poll.until(
                "the cleaner to drop the aborted record",
                () -> valuesOf("k", read(tp, "read_uncommitted")),
                values -> values.size() == 1);
        assertEquals(List.of("committed"), kept);
    }

    private static TopicPartition compactedTopic(String name) throws Exception {
        get(admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                .all());
        return new TopicPartition(name, 0);
    }

    private static void fill(KafkaProducer<String, String> p, TopicPartition tp, String prefix, int count)
            throws Exception {
        for (int i = 0; i < count; i++)
            p.send(new ProducerRecord<>(tp.topic(), 0, prefix + i, "x")).get();
    }

    private static KafkaProducer<String, String> transactional(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    private static List<String> valuesOf(String key, List<ConsumerRecord<String, String>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) if (key.equals(r.key())) out.add(r.value());
        return out;
    }

    private static List<ConsumerRecord<String, String>> read(TopicPartition tp, String isolation) {
        return AdminClients.readAll(broker.bootstrapServers(), tp, isolation);
    }
}
