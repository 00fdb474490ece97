package dev.skiff.it.share;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.BrokerFixture;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The group config share.isolation.level with KafkaShareConsumer: a read_committed share group gets the records of
 * committed transactions only, nothing of an aborted one, and nothing at or past an open transaction until it
 * commits; a read_uncommitted group of the same topic gets everything.
 */
class ShareReadCommittedTest {

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static KafkaProducer<String, String> transactional(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static void configure(String group, Map<String, String> configs) throws Exception {
        try (Admin admin = ShareClients.admin(broker.bootstrap())) {
            Collection<AlterConfigOp> ops = configs.entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                    .toList();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops))
                    .all()
                    .get();
        }
    }

    /** Polls (accepting everything) until {@code want} values were seen; returns all values seen. */
    private static Set<String> readUntil(KafkaShareConsumer<String, String> c, Set<String> seen, Set<String> want) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!seen.containsAll(want) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                seen.add(r.value());
                c.acknowledge(r, AcknowledgeType.ACCEPT);
            }
            c.commitSync();
        }
        return seen;
    }

    @Test
    void readCommittedShareGroupSkipsAbortedRecordsAndStopsAtTheOpenTransaction() throws Exception {
        String topic = BrokerFixture.uniqueTopic("share-rc");
        broker.createTopic(topic, 1);
        configure(
                "rc-" + topic,
                Map.of("share.auto.offset.reset", "earliest", "share.isolation.level", "read_committed"));
        configure("ru-" + topic, Map.of("share.auto.offset.reset", "earliest"));
        try (KafkaProducer<String, String> done = transactional("rc-done-" + topic);
                KafkaProducer<String, String> open = transactional("rc-open-" + topic)) {
            done.beginTransaction();
            done.send(new ProducerRecord<>(topic, 0, null, "a0"));
            done.send(new ProducerRecord<>(topic, 0, null, "a1"));
            done.flush();
            done.abortTransaction();
            done.beginTransaction();
            done.send(new ProducerRecord<>(topic, 0, null, "c0"));
            done.send(new ProducerRecord<>(topic, 0, null, "c1"));
            done.commitTransaction();
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 0, null, "o0"));
            open.flush();
            ShareClients.produce(broker.bootstrap(), topic, 0, 1, "n");

            try (var uncommitted = ShareClients.consumer(broker.bootstrap(), "ru-" + topic, true)) {
                uncommitted.subscribe(List.of(topic));
                Set<String> all = Set.of("a0", "a1", "c0", "c1", "o0", "n0");
                assertEquals(all, readUntil(uncommitted, new TreeSet<>(), all), "read_uncommitted gets every record");
            }
            try (var committed = ShareClients.consumer(broker.bootstrap(), "rc-" + topic, true)) {
                committed.subscribe(List.of(topic));
                Set<String> seen = readUntil(committed, new TreeSet<>(), Set.of("c0", "c1"));
                // a few more polls: nothing at or past the open transaction comes
                for (int i = 0; i < 10; i++) {
                    for (ConsumerRecord<String, String> r : ShareClients.poll(committed)) {
                        seen.add(r.value());
                        committed.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    committed.commitSync();
                }
                assertEquals(Set.of("c0", "c1"), seen, "read_committed: committed records only, up to the open one");
                open.commitTransaction();
                readUntil(committed, seen, Set.of("o0", "n0"));
                assertEquals(Set.of("c0", "c1", "o0", "n0"), seen, "the rest once the transaction commits");
            }
        }
    }
}
