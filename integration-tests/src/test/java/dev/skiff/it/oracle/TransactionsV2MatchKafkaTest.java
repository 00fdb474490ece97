package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions V2 (KIP-890 part 2) asked of both brokers: the transaction.version feature ApiVersions finalizes;
 * kafka-clients 4.x transactions that bump the producer's epoch at every end; and, request by request, Produce
 * v12 adding its partition to the transaction, EndTxn v5 answering the next epoch, a retried EndTxn, an abort with
 * no transaction open, and a late batch of an ended transaction (the hanging-transaction window) refused.
 */
class TransactionsV2MatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff()
            .property("transaction.state.log.replication.factor", "1")
            .property("transaction.state.log.min.isr", "1");

    @Test
    void sameFeatureLevels() throws Exception {
        brokers.same("transaction.version (supported range, finalized level)", t -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
                FeatureMetadata f = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
                var supported = f.supportedFeatures().get("transaction.version");
                var finalized = f.finalizedFeatures().get("transaction.version");
                return "supported " + supported.minVersion() + ".." + supported.maxVersion() + ", finalized "
                        + (finalized == null ? "none" : finalized.maxVersionLevel());
            }
        });
    }

    @Test
    void kafkaClientsTransactionsBumpTheEpochAtEveryEnd() throws Exception {
        String topic = "tv2-clients";
        brokers.createTopic(topic, 1);
        List<String> seen = brokers.same("committed records and the producer's epoch", t -> {
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap());
            pp.put(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "tv2-clients-" + t.name().length());
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
                p.initTransactions();
                for (String outcome : List.of("commit", "abort", "commit")) {
                    p.beginTransaction();
                    p.send(new ProducerRecord<>(topic, 0, null, outcome + "-1"));
                    p.send(new ProducerRecord<>(topic, 0, null, outcome + "-2"));
                    if (outcome.equals("commit")) p.commitTransaction();
                    else p.abortTransaction();
                }
            }
            List<String> out = new ArrayList<>();
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap());
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            TopicPartition tp = new TopicPartition(topic, 0);
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (out.size() < 4 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
                }
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
                for (ProducerState s : admin.describeProducers(List.of(tp))
                        .partitionResult(tp)
                        .get(30, TimeUnit.SECONDS)
                        .activeProducers())
                    out.add("producer epoch " + s.producerEpoch() + ", open transaction "
                            + s.currentTransactionStartOffset().isPresent());
            }
            return out;
        });
        // three ends, three bumps: the last marker carries epoch 3
        assertEquals(
                List.of("commit-1", "commit-2", "commit-1", "commit-2", "producer epoch 3, open transaction false"),
                seen);
    }

    @Test
    void sameAnswersRequestByRequest() throws Exception {
        String topic = "tv2-raw";
        brokers.createTopic(topic, 1);
        brokers.same("Produce v12 / EndTxn v5 step by step", t -> steps(t, topic));
    }

    private static List<String> steps(OracleAndSkiff.Target t, String topic) throws Exception {
        String txnId = "tv2-raw-" + t.name().length();
        List<String> answers = new ArrayList<>();
        try (KafkaWire wire = t.connect()) {
            // a fresh broker may still be creating __transaction_state: retriable errors until it is ready
            Poll.until(
                    "the transaction coordinator of " + t.name(),
                    () -> wire.<FindCoordinatorResponseData>send(
                            new FindCoordinatorRequestData()
                                    .setKeyType((byte) 1)
                                    .setCoordinatorKeys(List.of(txnId)),
                            4),
                    r -> r.coordinators().get(0).errorCode() == 0);
            InitProducerIdResponseData init = Poll.until(
                    "InitProducerId from " + t.name(),
                    () -> wire.<InitProducerIdResponseData>send(
                            new InitProducerIdRequestData()
                                    .setTransactionalId(txnId)
                                    .setTransactionTimeoutMs(60_000)
                                    .setProducerId(-1)
                                    .setProducerEpoch((short) -1),
                            5),
                    r -> !(Errors.forCode(r.errorCode()).exception() instanceof RetriableException));
            answers.add("InitProducerId: " + Errors.forCode(init.errorCode()) + " epoch " + init.producerEpoch());
            long pid = init.producerId();
            answers.add("produce epoch 0 without AddPartitionsToTxn: " + produce(wire, topic, txnId, pid, 0, 0));
            answers.add("commit epoch 0: " + end(wire, txnId, pid, 0, true));
            answers.add("the commit retried: " + end(wire, txnId, pid, 0, true));
            answers.add("an abort with the ended epoch: " + end(wire, txnId, pid, 0, false));
            answers.add("a late batch of the ended transaction: " + produce(wire, topic, txnId, pid, 0, 1));
            answers.add("commit with nothing open: " + end(wire, txnId, pid, 1, true));
            answers.add("abort with nothing open: " + end(wire, txnId, pid, 1, false));
            answers.add("produce epoch 2: " + produce(wire, topic, txnId, pid, 2, 0));
            answers.add("abort epoch 2: " + end(wire, txnId, pid, 2, false));
            answers.add("a stale epoch: " + end(wire, txnId, pid, 1, true));
            answers.add("an unknown producer id: " + end(wire, txnId, pid + 1_000_000, 3, true));
        }
        return answers;
    }

    /**
     * Kafka answers EndTxn once its decision is written and writes the markers after, so a request right after
     * may hear CONCURRENT_TRANSACTIONS; clients retry it, and so does each step here, so that both brokers are
     * compared once the previous end has completed.
     */
    private static String retried(java.util.concurrent.Callable<String> request) throws Exception {
        return Poll.until("an answer other than CONCURRENT_TRANSACTIONS", request, a -> !a.startsWith("CONCURRENT"));
    }

    private static String produce(KafkaWire wire, String topic, String txnId, long pid, int epoch, int seq)
            throws Exception {
        return retried(() -> produceOnce(wire, topic, txnId, pid, epoch, seq));
    }

    private static String end(KafkaWire wire, String txnId, long pid, int epoch, boolean commit) throws Exception {
        return retried(() -> endOnce(wire, txnId, pid, epoch, commit));
    }

    private static String produceOnce(KafkaWire wire, String topic, String txnId, long pid, int epoch, int seq)
            throws Exception {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(
                Compression.NONE,
                pid,
                (short) epoch,
                seq,
                new SimpleRecord(1_700_000_000_000L, null, "v".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(batch))));
        ProduceResponseData r = wire.send(
                new ProduceRequestData()
                        .setTransactionalId(txnId)
                        .setAcks((short) -1)
                        .setTimeoutMs(10_000)
                        .setTopicData(topics),
                12);
        return Errors.forCode(r.responses()
                        .iterator()
                        .next()
                        .partitionResponses()
                        .get(0)
                        .errorCode())
                .name();
    }

    private static String endOnce(KafkaWire wire, String txnId, long pid, int epoch, boolean commit) throws Exception {
        EndTxnResponseData r = wire.send(
                new EndTxnRequestData()
                        .setTransactionalId(txnId)
                        .setProducerId(pid)
                        .setProducerEpoch((short) epoch)
                        .setCommitted(commit),
                5);
        Errors e = Errors.forCode(r.errorCode());
        return e + (e == Errors.NONE ? " next epoch " + r.producerEpoch() : "");
    }
}
