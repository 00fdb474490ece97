package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * Transactions V2's new input paths over a real socket: Produce v12 batches that would add partitions to
 * transactions of unknown, oversized or empty transactional ids, of producer ids and epochs that are not theirs
 * (Short.MAX_VALUE, negative), to hundreds of partitions that do not exist; EndTxn v5 with unknown ids and
 * epochs at the edges; TxnOffsetCommit v5 adding a group of a 32,000-character name under a wrong epoch. Each is refused with Kafka's
 * error, nothing is left half done (a later transaction of a real producer commits and its records are read), and
 * the broker serves on and restarts intact.
 */
class TransactionsV2HostileTest {

    @Test
    void bogusV2RequestsAreRefusedAndLeaveNothingBehind() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic("tv2-target", 8);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                InitProducerIdResponseData init = wire.send(
                        new InitProducerIdRequestData()
                                .setTransactionalId("tv2-hostile")
                                .setTransactionTimeoutMs(60_000)
                                .setProducerId(-1)
                                .setProducerEpoch((short) -1),
                        5);
                assertEquals(0, init.errorCode());
                long pid = init.producerId();
                String huge = "x".repeat(32_000);

                assertNotEquals(0, produce(wire, "tv2-target", 0, "no-such-txn", pid, 0));
                assertNotEquals(0, produce(wire, "tv2-target", 0, huge, pid, 0));
                assertNotEquals(0, produce(wire, "tv2-target", 0, "", pid, 0));
                assertEquals(
                        Errors.INVALID_PRODUCER_ID_MAPPING.code(),
                        produce(wire, "tv2-target", 0, "tv2-hostile", pid + 7, 0));
                assertNotEquals(0, produce(wire, "tv2-target", 0, "tv2-hostile", pid, Short.MAX_VALUE));
                assertNotEquals(0, produce(wire, "tv2-target", 0, "tv2-hostile", pid, 5));
                for (int i = 0; i < 500; i++) // partitions that do not exist: never added to the transaction
                assertEquals(
                            Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                            produce(wire, "tv2-target", 8 + i, "tv2-hostile", pid, 0));

                assertNotEquals(0, end(wire, "no-such-txn", pid, 0, true));
                assertNotEquals(0, end(wire, huge, pid, 0, true));
                assertNotEquals(0, end(wire, "tv2-hostile", pid, Short.MAX_VALUE, true));
                assertNotEquals(0, end(wire, "tv2-hostile", pid, -1, false));
                assertNotEquals(0, end(wire, "tv2-hostile", -1, 0, false));

                TxnOffsetCommitResponseData oc = wire.send(
                        new TxnOffsetCommitRequestData()
                                .setTransactionalId("tv2-hostile")
                                .setGroupId(huge)
                                .setProducerId(pid)
                                .setProducerEpoch((short) 7)
                                .setGenerationId(-1)
                                .setMemberId("")
                                .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                                        .setName("tv2-target")
                                        .setPartitions(
                                                List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                                        .setPartitionIndex(0)
                                                        .setCommittedOffset(1))))),
                        5);
                assertNotEquals(0, oc.topics().get(0).partitions().get(0).errorCode());

                // the real producer is unharmed: a transaction of its own commits, its record is read
                assertEquals(0, produce(wire, "tv2-target", 0, "tv2-hostile", pid, 0));
                assertEquals(0, end(wire, "tv2-hostile", pid, 0, true));
            }
            // offsets: the one record and its commit marker; no refused batch left anything
            assertEquals(2, broker.recordCount("tv2-target"));
            survival.assertServedAndRestartsIntact();
            assertEquals(2, broker.recordCount("tv2-target"));
        }
    }

    private static short produce(KafkaWire wire, String topic, int partition, String txnId, long pid, int epoch)
            throws Exception {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(
                Compression.NONE,
                pid,
                (short) epoch,
                0,
                new SimpleRecord(1_700_000_000_000L, null, "v".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(batch))));
        ProduceResponseData r = wire.send(
                new ProduceRequestData()
                        .setTransactionalId(txnId)
                        .setAcks((short) -1)
                        .setTimeoutMs(10_000)
                        .setTopicData(topics),
                12);
        return r.responses().iterator().next().partitionResponses().get(0).errorCode();
    }

    private static short end(KafkaWire wire, String txnId, long pid, int epoch, boolean commit) throws Exception {
        EndTxnResponseData r = wire.send(
                new EndTxnRequestData()
                        .setTransactionalId(txnId)
                        .setProducerId(pid)
                        .setProducerEpoch((short) epoch)
                        .setCommitted(commit),
                5);
        return r.errorCode();
    }
}
