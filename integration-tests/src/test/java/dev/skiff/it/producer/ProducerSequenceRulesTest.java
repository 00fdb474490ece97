package dev.skiff.it.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeProducersRequestData;
import dev.skiff.protocol.message.DescribeProducersResponseData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The idempotence rules Kafka 4 applies on produce, asked of the broker over the wire (no client hides them):
 * duplicates get the original offset, gaps and stale epochs are refused, and all of it survives a restart.
 */
class ProducerSequenceRulesTest {

    private static EmbeddedSkiff skiff;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder().topic("seq", 1).start();
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @Test
    void duplicatesGapsAndEpochs() {
        long pid = initProducerId();
        assertProduced(0, produce(pid, 0, 0, 3));
        assertProduced(3, produce(pid, 0, 3, 2));
        // the same batch again: acknowledged with its first offset, not appended
        assertProduced(0, produce(pid, 0, 0, 3));
        assertProduced(3, produce(pid, 0, 3, 2));
        assertEquals(5, skiff.logEndOffset("seq", 0));
        // a gap
        assertEquals(
                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(),
                produce(pid, 0, 7, 1).errorCode());
        // a new epoch must start at 0; then the old epoch is fenced
        assertEquals(
                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(),
                produce(pid, 1, 5, 1).errorCode());
        assertProduced(5, produce(pid, 1, 0, 1));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), produce(pid, 0, 5, 1).errorCode());

        skiff.restart();

        // rebuilt from the log: the last batch is still a duplicate, the epoch still fenced
        assertProduced(5, produce(pid, 1, 0, 1));
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), produce(pid, 0, 5, 1).errorCode());
        assertEquals(
                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(),
                produce(pid, 1, 2, 1).errorCode());
        assertProduced(6, produce(pid, 1, 1, 4));

        long after = initProducerId();
        assertNotEquals(pid, after, "producer ids stay unique across a restart");
        assertEquals(
                List.of(pid),
                describe().stream()
                        .map(DescribeProducersResponseData.ProducerState::producerId)
                        .toList());
        DescribeProducersResponseData.ProducerState state = describe().get(0);
        assertEquals(1, state.producerEpoch());
        assertEquals(4, state.lastSequence());
    }

    @Test
    void transactionalIdGetsItsOwnProducerAndABumpedEpochOnReinit() {
        InitProducerIdRequestData init =
                new InitProducerIdRequestData().setTransactionalId("tx").setTransactionTimeoutMs(60000);
        InitProducerIdResponseData first = (InitProducerIdResponseData) call(ApiKeys.INIT_PRODUCER_ID, 4, init);
        InitProducerIdResponseData second = (InitProducerIdResponseData) call(ApiKeys.INIT_PRODUCER_ID, 4, init);
        assertEquals(Errors.NONE.code(), first.errorCode());
        assertEquals(first.producerId(), second.producerId(), "one producer id per transactional id");
        assertEquals(first.producerEpoch() + 1, second.producerEpoch(), "every init fences the previous one");
    }

    @Test
    void unknownPartitionInDescribeProducers() {
        DescribeProducersResponseData r = (DescribeProducersResponseData) call(
                ApiKeys.DESCRIBE_PRODUCERS,
                0,
                new DescribeProducersRequestData()
                        .setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                                .setName("nope")
                                .setPartitionIndexes(List.of(0)))));
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                r.topics().get(0).partitions().get(0).errorCode());
    }

    private static List<DescribeProducersResponseData.ProducerState> describe() {
        DescribeProducersResponseData r = (DescribeProducersResponseData) call(
                ApiKeys.DESCRIBE_PRODUCERS,
                0,
                new DescribeProducersRequestData()
                        .setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                                .setName("seq")
                                .setPartitionIndexes(List.of(0)))));
        DescribeProducersResponseData.PartitionResponse p =
                r.topics().get(0).partitions().get(0);
        assertEquals(Errors.NONE.code(), p.errorCode());
        return p.activeProducers();
    }

    private static long initProducerId() {
        InitProducerIdResponseData r = (InitProducerIdResponseData) call(
                ApiKeys.INIT_PRODUCER_ID,
                4,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(0, r.producerEpoch());
        return r.producerId();
    }

    private static ProduceResponseData.PartitionProduceResponse produce(long pid, int epoch, int seq, int count) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE).producer(pid, (short) epoch, seq);
        for (int i = 0; i < count; i++) {
            b.append(System.currentTimeMillis(), null, ("v" + (seq + i)).getBytes(StandardCharsets.UTF_8));
        }
        ProduceRequestData req = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30000)
                .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                        .setName("seq")
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(BufferRecords.of(b.build()))))));
        ProduceResponseData r = (ProduceResponseData) call(ApiKeys.PRODUCE, 9, req);
        return r.responses().get(0).partitionResponses().get(0);
    }

    private static void assertProduced(long baseOffset, ProduceResponseData.PartitionProduceResponse r) {
        assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
        assertEquals(baseOffset, r.baseOffset());
    }

    private static ApiMessage call(ApiKeys api, int version, ApiMessage request) {
        return WireClient.call(skiff.port(), api, version, request);
    }
}
