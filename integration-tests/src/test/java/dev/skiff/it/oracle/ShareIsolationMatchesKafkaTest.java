package dev.skiff.it.oracle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The group config share.isolation.level against Apache Kafka 4.1.1, with kafka-clients' KafkaShareConsumer on
 * both: an aborted transaction, a committed one, an open one and a plain record after it; what a read_committed
 * and a read_uncommitted share group get before the open transaction commits, and what the read_committed one gets
 * after.
 */
class ShareIsolationMatchesKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff()
            .property("transaction.state.log.replication.factor", "1")
            .property("transaction.state.log.min.isr", "1");

    private static final String TOPIC = "share-isolation";

    @BeforeAll
    static void setUp() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.oracle().bootstrap()))) {
            admin.updateFeatures(
                            Map.of("share.version", new FeatureUpdate((short) 1, FeatureUpdate.UpgradeType.UPGRADE)),
                            new UpdateFeaturesOptions())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        brokers.createTopic(TOPIC, 1);
    }

    private static void configure(OracleAndSkiff.Target t, String group, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
            List<AlterConfigOp> ops = new ArrayList<>();
            configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(OracleAndSkiff.Target t, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        if (transactionalId != null) p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        if (transactionalId != null) producer.initTransactions();
        return producer;
    }

    private static KafkaShareConsumer<String, String> consumer(OracleAndSkiff.Target t, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", t.bootstrap());
        p.put("group.id", group);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("share.acknowledgement.mode", "explicit");
        return new KafkaShareConsumer<>(p);
    }

    /** Polls, accepting everything, until {@code want} was seen (or 30 s), then {@code extra} polls more. */
    private static void read(KafkaShareConsumer<String, String> c, Set<String> seen, Set<String> want, int extra) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int after = 0;
        while (after < extra && System.nanoTime() < deadline) {
            if (seen.containsAll(want)) after++;
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                seen.add(r.value());
                c.acknowledge(r, AcknowledgeType.ACCEPT);
            }
            c.commitSync();
        }
    }

    @Test
    void readCommittedAndUncommittedShareGroups() throws Exception {
        brokers.same("what share groups of each isolation level get", t -> {
            configure(
                    t,
                    "iso-rc",
                    Map.of("share.auto.offset.reset", "earliest", "share.isolation.level", "read_committed"));
            configure(t, "iso-ru", Map.of("share.auto.offset.reset", "earliest"));
            List<String> out = new ArrayList<>();
            try (KafkaProducer<String, String> done = producer(t, "iso-done");
                    KafkaProducer<String, String> open = producer(t, "iso-open");
                    KafkaProducer<String, String> plain = producer(t, null)) {
                done.beginTransaction();
                done.send(new ProducerRecord<>(TOPIC, 0, null, "a0"));
                done.send(new ProducerRecord<>(TOPIC, 0, null, "a1"));
                done.flush();
                done.abortTransaction();
                done.beginTransaction();
                done.send(new ProducerRecord<>(TOPIC, 0, null, "c0"));
                done.send(new ProducerRecord<>(TOPIC, 0, null, "c1"));
                done.commitTransaction();
                open.beginTransaction();
                open.send(new ProducerRecord<>(TOPIC, 0, null, "o0"));
                open.flush();
                plain.send(new ProducerRecord<>(TOPIC, 0, null, "n0")).get();

                Set<String> uncommitted = new TreeSet<>();
                try (var c = consumer(t, "iso-ru")) {
                    c.subscribe(List.of(TOPIC));
                    read(c, uncommitted, Set.of("a0", "a1", "c0", "c1", "o0", "n0"), 5);
                }
                out.add("read_uncommitted " + uncommitted);
                try (var c = consumer(t, "iso-rc")) {
                    c.subscribe(List.of(TOPIC));
                    Set<String> committed = new TreeSet<>();
                    read(c, committed, Set.of("c0", "c1"), 10);
                    out.add("read_committed, a transaction open " + committed);
                    open.commitTransaction();
                    read(c, committed, Set.of("o0", "n0"), 5);
                    out.add("read_committed after its commit " + committed);
                }
            }
            return out;
        });
    }
}
