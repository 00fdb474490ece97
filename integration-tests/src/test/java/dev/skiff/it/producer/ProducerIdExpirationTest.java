package dev.skiff.it.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * producer.id.expiration.ms: a producer idle that long loses its sequence state, as in Kafka 4, after which
 * the partition treats it as one it never saw (any sequence is taken; Kafka 4 no longer answers
 * UNKNOWN_PRODUCER_ID). Before the expiry the same batch is OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
class ProducerIdExpirationTest {

    private static final String TOPIC = "expiring";

    @Test
    void anIdleProducerIsForgottenAndMayStartAtAnySequence() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                        .topic(TOPIC, 1)
                        // long enough that the three requests before the expiry fit in it on a loaded machine
                        .property("producer.id.expiration.ms", "5000")
                        .property("producer.id.expiration.check.interval.ms", "100")
                        .start();
                KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
            InitProducerIdResponseData init = wire.send(
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000), 4);
            long producerId = init.producerId();

            assertEquals(Errors.NONE.code(), produce(wire, producerId, 0, 3).errorCode());
            assertEquals(1, producers(wire).size(), "the producer is known after its first batch");
            ProduceResponseData.PartitionProduceResponse gap = produce(wire, producerId, 10, 1);
            assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), gap.errorCode());

            Poll.until("the idle producer expires", () -> producers(wire), List::isEmpty);

            ProduceResponseData.PartitionProduceResponse fresh = produce(wire, producerId, 10, 1);
            assertEquals(Errors.NONE.code(), fresh.errorCode());
            assertEquals(3, fresh.baseOffset());
            assertEquals(10, producers(wire).get(0).lastSequence());
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(
            KafkaWire wire, long producerId, int sequence, int count) throws IOException {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(TOPIC)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withIdempotentRecords(
                                Compression.NONE, producerId, (short) 0, sequence, records)))));
        ProduceResponseData r = wire.send(
                new ProduceRequestData()
                        .setAcks((short) -1)
                        .setTimeoutMs(10_000)
                        .setTransactionalId(null)
                        .setTopicData(topics),
                9);
        return r.responses().iterator().next().partitionResponses().get(0);
    }

    private static List<DescribeProducersResponseData.ProducerState> producers(KafkaWire wire) throws IOException {
        DescribeProducersResponseData r = wire.send(
                new DescribeProducersRequestData()
                        .setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                                .setName(TOPIC)
                                .setPartitionIndexes(List.of(0)))),
                0);
        DescribeProducersResponseData.PartitionResponse p =
                r.topics().get(0).partitions().get(0);
        assertEquals(Errors.NONE.code(), p.errorCode());
        return p.activeProducers();
    }
}
