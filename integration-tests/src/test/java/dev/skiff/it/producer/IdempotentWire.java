package dev.skiff.it.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import java.util.Arrays;
import java.util.List;

/**
 * An idempotent producer spoken over the wire, so a test decides each batch's producer id, epoch and sequence
 * (a retry is the same batch sent again, which no client does on request).
 */
public final class IdempotentWire {

    private IdempotentWire() {}

    /** A new producer id (epoch 0) from InitProducerId without a transactional id. */
    public static long initProducerId(int port) {
        InitProducerIdResponseData r = (InitProducerIdResponseData) WireClient.call(
                port,
                ApiKeys.INIT_PRODUCER_ID,
                4,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
        assertEquals(Errors.NONE.code(), r.errorCode());
        return r.producerId();
    }

    /** Produces (acks=-1) one batch of {@code count} records of {@code valueBytes} bytes each to partition 0. */
    public static ProduceResponseData.PartitionProduceResponse produce(
            int port, String topic, long pid, int epoch, int seq, int count, int valueBytes) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE).producer(pid, (short) epoch, seq);
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueBytes];
            Arrays.fill(value, (byte) ('a' + (seq + i) % 26));
            b.append(System.currentTimeMillis(), null, value);
        }
        ProduceRequestData req = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30000)
                .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                        .setName(topic)
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(BufferRecords.of(b.build()))))));
        ProduceResponseData r = (ProduceResponseData) WireClient.call(port, ApiKeys.PRODUCE, 9, req);
        return r.responses().get(0).partitionResponses().get(0);
    }

    /** The batch was appended (or recognised as a duplicate) at {@code baseOffset}. */
    public static void assertProduced(long baseOffset, ProduceResponseData.PartitionProduceResponse r) {
        assertEquals(Errors.NONE.code(), r.errorCode(), r.errorMessage());
        assertEquals(baseOffset, r.baseOffset());
    }
}
