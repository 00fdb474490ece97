package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KIP-467 per-record errors against Apache Kafka 4.1.1: a batch with records without keys on a compacted topic,
 * with timestamps outside the topic's window, with LogAppendTime set by the producer. The partition's error code
 * and error_message and the record_errors (indexes and messages) must be Kafka's, and a kafka-clients 4.x
 * producer must fail the same records with the same exceptions on both.
 */
class RecordErrorsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static final String COMPACTED = "compacted";
    private static final String STRICT = "strict-times";
    private static final String STAMPED = "stamped";

    @BeforeAll
    static void topics() throws Exception {
        for (OracleAndSkiff.Target t : brokers.both()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
                admin.createTopics(List.of(
                                new NewTopic(COMPACTED, Optional.of(1), Optional.empty())
                                        .configs(Map.of("cleanup.policy", "compact")),
                                new NewTopic(STRICT, Optional.of(1), Optional.empty())
                                        .configs(Map.of(
                                                "message.timestamp.before.max.ms", "60000",
                                                "message.timestamp.after.max.ms", "60000")),
                                new NewTopic(STAMPED, Optional.of(1), Optional.empty())
                                        .configs(Map.of("message.timestamp.type", "LogAppendTime"))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
        // Kafka's leaders may come a moment after creation: wait for a produce that succeeds
        for (OracleAndSkiff.Target t : brokers.both()) {
            dev.skiff.it.Poll.until(
                    "a leader for " + STRICT + " on " + t.name(),
                    () -> answer(t, STRICT, 12, List.of(new SimpleRecord(System.currentTimeMillis(), k("k"), k("v"))))
                            .get(0),
                    code -> code.equals("NONE"));
        }
    }

    private static byte[] k(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Error name, error_message (v8+) and record_errors of one partition's answer. */
    private static List<Object> answer(OracleAndSkiff.Target t, String topic, int version, List<SimpleRecord> records)
            throws Exception {
        return answer(
                t, topic, version, MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)));
    }

    private static List<Object> answer(OracleAndSkiff.Target t, String topic, int version, MemoryRecords records)
            throws Exception {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(records))));
        try (KafkaWire wire = t.connect()) {
            ProduceResponseData r = wire.send(
                    new ProduceRequestData()
                            .setAcks((short) -1)
                            .setTimeoutMs(10_000)
                            .setTopicData(topics),
                    version);
            ProduceResponseData.PartitionProduceResponse p =
                    r.responses().iterator().next().partitionResponses().get(0);
            List<Object> errors = new ArrayList<>();
            for (ProduceResponseData.BatchIndexAndErrorMessage e : p.recordErrors())
                errors.add(e.batchIndex() + ": " + e.batchIndexErrorMessage());
            return List.of(Errors.forCode(p.errorCode()).name(), String.valueOf(p.errorMessage()), errors);
        }
    }

    /** The time window's ends and the broker's clock differ between the two: hide the numbers in brackets. */
    private static List<Object> masked(List<Object> answer) {
        List<Object> out = new ArrayList<>();
        for (Object o : answer) out.add(String.valueOf(o).replaceAll("\\[-?\\d+, -?\\d+\\]", "[..]"));
        return out;
    }

    @ParameterizedTest(name = "Produce v{0}")
    @ValueSource(ints = {3, 7, 8, 9, 11, 12})
    void recordsWithoutKeysOnACompactedTopic(int version) throws Exception {
        long now = System.currentTimeMillis();
        List<SimpleRecord> records = List.of(
                new SimpleRecord(now, k("a"), k("1")),
                new SimpleRecord(now, null, k("2")),
                new SimpleRecord(now, k("b"), k("3")),
                new SimpleRecord(now, null, k("4")),
                new SimpleRecord(now, null, k("5")),
                new SimpleRecord(now, null, k("6")));
        List<Object> a = brokers.same(
                "Produce v" + version + " of records without keys", t -> answer(t, COMPACTED, version, records));
        assertEquals("INVALID_RECORD", a.get(0));
        if (version >= 8) assertEquals(4, ((List<?>) a.get(2)).size(), a.toString());
        // compressed: the same answer
        brokers.same(
                "Produce v" + version + " of gzip records without keys",
                t -> answer(
                        t,
                        COMPACTED,
                        version,
                        MemoryRecords.withRecords(Compression.gzip().build(), records.toArray(SimpleRecord[]::new))));
    }

    @ParameterizedTest(name = "Produce v{0}")
    @ValueSource(ints = {7, 8, 12})
    void timestampsOutsideTheWindow(int version) throws Exception {
        long now = System.currentTimeMillis();
        List<SimpleRecord> records = List.of(
                new SimpleRecord(now, k("a"), k("1")),
                new SimpleRecord(now - 3_600_000, k("b"), k("2")),
                new SimpleRecord(now + 3_600_000, k("c"), k("3")),
                new SimpleRecord(now, k("d"), k("4")));
        List<Object> a = brokers.same(
                "Produce v" + version + " of records out of the time window",
                t -> masked(answer(t, STRICT, version, records)));
        assertEquals("INVALID_TIMESTAMP", a.get(0));
    }

    @Test
    void keysAndTimestampsBrokenInOneBatch() throws Exception {
        // the key rule is checked first; one timestamp among the causes makes the batch INVALID_TIMESTAMP
        long now = System.currentTimeMillis();
        for (OracleAndSkiff.Target t : brokers.both()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic("both-rules", Optional.of(1), Optional.empty())
                                .configs(
                                        Map.of("cleanup.policy", "compact", "message.timestamp.after.max.ms", "1000"))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
        List<SimpleRecord> records = List.of(
                new SimpleRecord(now + 3_600_000, null, k("1")),
                new SimpleRecord(now + 3_600_000, k("b"), k("2")),
                new SimpleRecord(now, null, k("3")));
        dev.skiff.it.Poll.until(
                "the same answer on both",
                () -> {
                    List<Object> kafka = masked(answer(brokers.oracle(), "both-rules", 12, records));
                    List<Object> skiff = masked(answer(brokers.skiff(), "both-rules", 12, records));
                    return List.of(kafka, skiff);
                },
                both -> !both.get(0).get(0).equals("NOT_LEADER_OR_FOLLOWER")
                        && both.get(0).equals(both.get(1)));
    }

    @Test
    void logAppendTimeSetByTheProducer() throws Exception {
        long now = System.currentTimeMillis();
        MemoryRecords stamped = MemoryRecords.withRecords(
                RecordBatch.CURRENT_MAGIC_VALUE,
                0L,
                Compression.NONE,
                TimestampType.LOG_APPEND_TIME,
                new SimpleRecord(now, k("a"), k("1")),
                new SimpleRecord(now, null, k("22")));
        brokers.same("LogAppendTime from the producer", t -> masked(answer(t, STAMPED, 12, stamped)));
    }

    /** What a kafka-clients 4.x producer reports for each record of one batch. */
    private static List<String> produceOneBatch(OracleAndSkiff.Target t, List<String> keys) throws Exception {
        List<String> outcomes = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                t.bootstrap(),
                ProducerConfig.LINGER_MS_CONFIG,
                60_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++)
                sent.add(producer.send(new ProducerRecord<>(COMPACTED, 0, keys.get(i), "value-" + i)));
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    outcomes.add("ok");
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause().getClass().getName() + ": "
                            + e.getCause().getMessage());
                }
            }
            // the producer goes on: a keyed record after the refused batch is written
            Future<RecordMetadata> after = producer.send(new ProducerRecord<>(COMPACTED, 0, "after", "x"));
            producer.flush();
            after.get(30, TimeUnit.SECONDS);
            outcomes.add("after: ok");
        }
        return outcomes;
    }

    @Test
    void aProducerFailsExactlyTheRecordsWithoutKeys() throws Exception {
        List<String> several = brokers.same(
                "kafka-clients producer, two records without keys",
                t -> produceOneBatch(t, java.util.Arrays.asList("a", null, "b", null)));
        assertTrue(several.get(1).startsWith("org.apache.kafka.common.InvalidRecordException"), several.toString());
        assertTrue(several.get(0).startsWith("org.apache.kafka.common.KafkaException"), several.toString());
        brokers.same(
                "kafka-clients producer, one record without key",
                t -> produceOneBatch(t, java.util.Arrays.asList("a", null, "b")));
    }
}
