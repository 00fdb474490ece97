package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddPartitionsToTxnRequestData;
import dev.skiff.protocol.message.EndTxnRequestData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transaction coordinator answers only once what it wrote to {@code __transaction_state} is replicated (the
 * partition's high watermark reached it), as Kafka's coordinator writes with acks=-1: a coordinator that dies
 * right after answering leaves its state on the new leader. Issue #14: a producer was told a producer id or epoch
 * that the new coordinator did not have (INVALID_PRODUCER_ID_MAPPING after a failover).
 */
class CoordinatorWritesReplicatedTest {

    private final Broker broker = new Broker(BrokerConfig.defaults(), LogFactory.memory());

    @AfterEach
    void close() {
        broker.close();
    }

    private CompletableFuture<ApiMessage> send(ApiKeys api, int version, ApiMessage request) {
        return broker.handle(new RequestContext(api, (short) version, 1, "test", "127.0.0.1:1", 1), request);
    }

    private CompletableFuture<ApiMessage> init(String id, long producerId, short epoch) {
        return send(
                ApiKeys.INIT_PRODUCER_ID,
                5,
                new InitProducerIdRequestData()
                        .setTransactionalId(id)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch));
    }

    /** The transaction log's partition, made the leader of two in-sync replicas (the other one lags). */
    private Partition replicatedTransactionLog() {
        Partition p = broker.topics().partition(TransactionLog.TOPIC, 0);
        p.becomeLeader(new Partition.ReplicaRole(true, 1, List.of(0, 1), 1), null);
        return p;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void initProducerIdIsAnsweredOnceItsRecordIsReplicated() throws Exception {
        InitProducerIdResponseData first = (InitProducerIdResponseData) get(init("a", -1, (short) -1));
        Partition log = replicatedTransactionLog();
        long before = log.log().logEndOffset();

        CompletableFuture<ApiMessage> bump = init("a", first.producerId(), first.producerEpoch());
        assertTrue(log.log().logEndOffset() > before, "the new epoch is written");
        assertFalse(bump.isDone(), "no answer before the follower has the new epoch");
        log.setHighWatermark(log.log().logEndOffset() - 1);
        assertFalse(bump.isDone(), "no answer before the whole record is replicated");
        log.setHighWatermark(log.log().logEndOffset());
        InitProducerIdResponseData r = (InitProducerIdResponseData) get(bump);
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(first.producerId(), r.producerId());
        assertEquals(first.producerEpoch() + 1, r.producerEpoch());
    }

    @Test
    void addPartitionsAndEndTxnWaitForTheirRecords() throws Exception {
        broker.createTopics(Map.of("t", 1));
        InitProducerIdResponseData p = (InitProducerIdResponseData) get(init("a", -1, (short) -1));
        Partition log = replicatedTransactionLog();

        CompletableFuture<ApiMessage> add = send(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                3,
                new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId("a")
                        .setV3AndBelowProducerId(p.producerId())
                        .setV3AndBelowProducerEpoch(p.producerEpoch())
                        .setV3AndBelowTopics(List.of(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                .setName("t")
                                .setPartitions(List.of(0)))));
        assertFalse(add.isDone());
        log.setHighWatermark(log.log().logEndOffset());
        get(add);

        CompletableFuture<ApiMessage> end = send(
                ApiKeys.END_TXN,
                3,
                new EndTxnRequestData()
                        .setTransactionalId("a")
                        .setProducerId(p.producerId())
                        .setProducerEpoch(p.producerEpoch())
                        .setCommitted(true));
        assertFalse(end.isDone(), "PrepareCommit and CompleteCommit are not replicated yet");
        log.setHighWatermark(log.log().logEndOffset());
        get(end);
        assertEquals(
                TransactionState.COMPLETE_COMMIT,
                broker.transactions().describe("a").state());
    }

    @Test
    void aCoordinatorThatLosesItsLeadershipBeforeReplicationAnswersNotCoordinator() throws Exception {
        InitProducerIdResponseData first = (InitProducerIdResponseData) get(init("a", -1, (short) -1));
        Partition log = replicatedTransactionLog();
        CompletableFuture<ApiMessage> bump = init("a", first.producerId(), first.producerEpoch());
        assertFalse(bump.isDone());
        log.becomeFollower(new Partition.ReplicaRole(false, 2, List.of(1), 1));
        InitProducerIdResponseData r = (InitProducerIdResponseData) get(bump);
        assertEquals(Errors.NOT_COORDINATOR.code(), r.errorCode(), "the producer looks for the new coordinator");
        assertEquals(-1, r.producerId());
    }

    @Test
    void writesNotReplicatedInTimeAnswerCoordinatorNotAvailable() throws Exception {
        get(init("a", -1, (short) -1));
        Partition log = replicatedTransactionLog();
        ReplicatedWrites w = ReplicatedWrites.track(() -> log.append(new dev.skiff.protocol.records.RecordBatchBuilder(
                                dev.skiff.protocol.records.CompressionType.NONE)
                        .append(1L, "k".getBytes(), "v".getBytes())
                        .build()))
                .writes();
        assertEquals(
                Map.of(new TopicPartition(TransactionLog.TOPIC, 0), log.log().logEndOffset()), w.ends());
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(w.replicated(50)));
        ApiException cause = assertInstanceOf(ApiException.class, e.getCause());
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, cause.error());
    }

    @Test
    void aSingleBrokerAnswersAtOnce() throws Exception {
        ReplicatedWrites w =
                ReplicatedWrites.track(() -> init("a", -1, (short) -1).join()).writes();
        assertTrue(w.replicated().isDone(), "no replica role: nothing to wait for");
    }

    @Test
    void offsetCommitIsAnsweredOnceTheOffsetsAreReplicated() throws Exception {
        broker.createTopics(Map.of("t", 1));
        Supplier<CompletableFuture<ApiMessage>> commit = () -> send(
                ApiKeys.OFFSET_COMMIT,
                2,
                new OffsetCommitRequestData()
                        .setGroupId("g")
                        .setGenerationIdOrMemberEpoch(-1)
                        .setMemberId("")
                        .setRetentionTimeMs(-1)
                        .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName("t")
                                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(5))))));
        get(commit.get()); // creates the offsets topic
        Partition log = null;
        for (Partition p : broker.topics().get(OffsetStore.TOPIC).partitions()) {
            if (p.log().logEndOffset() > 0) log = p;
        }
        log.becomeLeader(new Partition.ReplicaRole(true, 1, List.of(0, 1), 1), null);
        CompletableFuture<ApiMessage> again = commit.get();
        assertFalse(again.isDone(), "no answer before the follower has the offsets");
        log.setHighWatermark(log.log().logEndOffset());
        OffsetCommitResponseData r = (OffsetCommitResponseData) get(again);
        assertEquals(Errors.NONE.code(), r.topics().get(0).partitions().get(0).errorCode());
    }
}
