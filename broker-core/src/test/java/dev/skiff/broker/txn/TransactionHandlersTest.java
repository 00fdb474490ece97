package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddPartitionsToTxnRequestData;
import dev.skiff.protocol.message.AddPartitionsToTxnResponseData;
import dev.skiff.protocol.message.EndTxnRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transaction APIs and read_committed Fetch/ListOffsets through the broker's handlers. */
class TransactionHandlersTest {

    private final Broker broker = new Broker(BrokerConfig.defaults(), LogFactory.memory());

    @AfterEach
    void close() {
        broker.close();
    }

    @SuppressWarnings("unchecked")
    private <T extends ApiMessage> T call(ApiKeys api, int version, ApiMessage request) {
        return (T) broker.handle(new RequestContext(api, (short) version, 1, "test", "127.0.0.1:1", 1), request)
                .join();
    }

    private InitProducerIdResponseData init(String id) {
        return call(
                ApiKeys.INIT_PRODUCER_ID,
                5,
                new InitProducerIdRequestData()
                        .setTransactionalId(id)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1));
    }

    private static AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic topic(String name, Integer... partitions) {
        return new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                .setName(name)
                .setPartitions(List.of(partitions));
    }

    @Test
    void addPartitionsV3NamesTheUnknownPartitionAndAttemptsNothing() {
        broker.createTopics(Map.of("t", 2));
        InitProducerIdResponseData p = init("a");
        AddPartitionsToTxnResponseData r = call(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                3,
                new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId("a")
                        .setV3AndBelowProducerId(p.producerId())
                        .setV3AndBelowProducerEpoch(p.producerEpoch())
                        .setV3AndBelowTopics(List.of(topic("t", 0), topic("nope", 0))));
        var byTopic = r.resultsByTopicV3AndBelow();
        assertEquals(
                Errors.OPERATION_NOT_ATTEMPTED.code(),
                byTopic.get(0).resultsByPartition().get(0).partitionErrorCode());
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                byTopic.get(1).resultsByPartition().get(0).partitionErrorCode());
        assertEquals(TransactionState.EMPTY, broker.transactions().describe("a").state());
    }

    @Test
    void addPartitionsV4AddsAndVerifiesInBatches() {
        broker.createTopics(Map.of("t", 2));
        InitProducerIdResponseData p = init("a");
        var add = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                .setTransactionalId("a")
                .setProducerId(p.producerId())
                .setProducerEpoch(p.producerEpoch())
                .setTopics(List.of(topic("t", 0)));
        AddPartitionsToTxnResponseData added = call(
                ApiKeys.ADD_PARTITIONS_TO_TXN, 4, new AddPartitionsToTxnRequestData().setTransactions(List.of(add)));
        assertEquals(
                0,
                added.resultsByTransaction()
                        .get(0)
                        .topicResults()
                        .get(0)
                        .resultsByPartition()
                        .get(0)
                        .partitionErrorCode());
        var verify = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                .setTransactionalId("a")
                .setProducerId(p.producerId())
                .setProducerEpoch(p.producerEpoch())
                .setVerifyOnly(true)
                .setTopics(List.of(topic("t", 0, 1)));
        AddPartitionsToTxnResponseData verified = call(
                ApiKeys.ADD_PARTITIONS_TO_TXN, 5, new AddPartitionsToTxnRequestData().setTransactions(List.of(verify)));
        var parts = verified.resultsByTransaction().get(0).topicResults().get(0).resultsByPartition();
        assertEquals(Errors.NONE.code(), parts.get(0).partitionErrorCode());
        assertEquals(Errors.INVALID_TXN_STATE.code(), parts.get(1).partitionErrorCode());
        assertEquals(
                List.of(new dev.skiff.broker.TopicPartition("t", 0)),
                List.copyOf(broker.transactions().describe("a").partitions()));
    }

    @Test
    void oldVersionsAreToldInvalidProducerEpochInsteadOfFenced() {
        InitProducerIdResponseData old = init("a");
        init("a");
        EndTxnRequestData end = new EndTxnRequestData()
                .setTransactionalId("a")
                .setProducerId(old.producerId())
                .setProducerEpoch(old.producerEpoch())
                .setCommitted(true);
        // thrown for the dispatcher to answer, with the code the version knows
        assertEquals(
                Errors.INVALID_PRODUCER_EPOCH,
                assertThrows(ApiException.class, () -> call(ApiKeys.END_TXN, 1, end))
                        .error());
        assertEquals(
                Errors.PRODUCER_FENCED,
                assertThrows(ApiException.class, () -> call(ApiKeys.END_TXN, 2, end))
                        .error());
    }

    @Test
    void aRefusedInitProducerIdAnswersNoProducerIdAndEpoch() {
        InitProducerIdResponseData ok = init("a");
        InitProducerIdRequestData stale = new InitProducerIdRequestData()
                .setTransactionalId("a")
                .setTransactionTimeoutMs(60_000)
                .setProducerId(ok.producerId() + 1)
                .setProducerEpoch(ok.producerEpoch());
        InitProducerIdResponseData old = call(ApiKeys.INIT_PRODUCER_ID, 3, stale);
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), old.errorCode());
        assertEquals(-1, old.producerId()); // not the request's producer id
        assertEquals(-1, old.producerEpoch());
        InitProducerIdResponseData fenced = call(ApiKeys.INIT_PRODUCER_ID, 4, stale);
        assertEquals(Errors.PRODUCER_FENCED.code(), fenced.errorCode());
        assertEquals(-1, fenced.producerId());
        InitProducerIdResponseData timeout =
                call(ApiKeys.INIT_PRODUCER_ID, 5, stale.setProducerId(-1).setTransactionTimeoutMs(0));
        assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT.code(), timeout.errorCode());
        assertEquals(-1, timeout.producerId());
        assertEquals(-1, timeout.producerEpoch());
    }

    @Test
    void readCommittedFetchAndListOffsetsStopAtTheLastStableOffset() {
        broker.createTopics(Map.of("t", 1));
        Partition part = broker.topics().get("t").partition(0);
        InitProducerIdResponseData p = init("a");
        broker.transactions()
                .addPartitions(
                        "a",
                        p.producerId(),
                        p.producerEpoch(),
                        java.util.Set.of(new dev.skiff.broker.TopicPartition("t", 0)));
        TxnTestSupport.appendPlain(part); // 0
        long first = TxnTestSupport.appendTxn(part, p.producerId(), p.producerEpoch(), 0, 2); // 1-2
        FetchResponseData.PartitionData open = fetch(1, 0);
        assertEquals(first, open.lastStableOffset());
        assertEquals(3, open.highWatermark());
        assertEquals(first, latest(1));
        assertEquals(3, latest(0));
        int committedBytes = open.records().sizeInBytes();
        assertTrue(committedBytes > 0 && committedBytes < fetch(0, 0).records().sizeInBytes());
        assertEquals(0, fetch(1, first).records().sizeInBytes()); // nothing stable there yet

        broker.transactions().endTransaction("a", p.producerId(), p.producerEpoch(), false);
        FetchResponseData.PartitionData done = fetch(1, 0);
        assertEquals(4, done.lastStableOffset());
        assertEquals(1, done.abortedTransactions().size());
        assertEquals(p.producerId(), done.abortedTransactions().get(0).producerId());
        assertEquals(first, done.abortedTransactions().get(0).firstOffset());
        assertEquals(4, latest(1));
        assertTrue(fetch(0, 0).abortedTransactions().isEmpty()); // read_uncommitted is not told
    }

    private FetchResponseData.PartitionData fetch(int isolation, long offset) {
        FetchResponseData r = call(
                ApiKeys.FETCH,
                12,
                new FetchRequestData()
                        .setMaxWaitMs(0)
                        .setMinBytes(1)
                        .setMaxBytes(1 << 20)
                        .setIsolationLevel((byte) isolation)
                        .setTopics(List.of(new FetchRequestData.FetchTopic()
                                .setTopic("t")
                                .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                        .setPartition(0)
                                        .setFetchOffset(offset)
                                        .setPartitionMaxBytes(1 << 20))))));
        return r.responses().get(0).partitions().get(0);
    }

    private long latest(int isolation) {
        ListOffsetsResponseData r = call(
                ApiKeys.LIST_OFFSETS,
                5,
                new ListOffsetsRequestData()
                        .setReplicaId(-1)
                        .setIsolationLevel((byte) isolation)
                        .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic()
                                .setName("t")
                                .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                        .setPartitionIndex(0)
                                        .setTimestamp(-1))))));
        return r.topics().get(0).partitions().get(0).offset();
    }
}
