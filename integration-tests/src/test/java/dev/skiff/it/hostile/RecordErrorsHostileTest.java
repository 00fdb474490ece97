package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * KIP-467 record errors asked for in bulk over a real socket: gzip batches of 200,000 records without keys on a
 * compacted topic (a few kilobytes on the wire), sent again and again on one connection. The answer names at
 * most 10,000 records (Kafka would name them all: an answer of megabytes per request), counts them all in its
 * message, stores nothing, and the broker serves on and restarts intact.
 */
class RecordErrorsHostileTest {

    private static final int RECORDS = 200_000;

    @Test
    void batchesOfManyBadRecordsGetABoundedAnswer() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic("keys-required", 1, Map.of("cleanup.policy", "compact"));
            MemoryRecordsBuilder b = MemoryRecords.builder(
                    java.nio.ByteBuffer.allocate(1 << 16),
                    RecordBatch.CURRENT_MAGIC_VALUE,
                    Compression.gzip().build(),
                    TimestampType.CREATE_TIME,
                    0L);
            long now = System.currentTimeMillis();
            for (int i = 0; i < RECORDS; i++) b.append(now, (byte[]) null, (byte[]) null);
            MemoryRecords records = b.build();
            assertTrue(records.sizeInBytes() < 1 << 20, "small on the wire: " + records.sizeInBytes());
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                for (int round = 0; round < 5; round++) {
                    ProduceRequestData.TopicProduceDataCollection topics =
                            new ProduceRequestData.TopicProduceDataCollection();
                    topics.add(new ProduceRequestData.TopicProduceData()
                            .setName("keys-required")
                            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                    .setIndex(0)
                                    .setRecords(MemoryRecords.readableRecords(
                                            records.buffer().duplicate())))));
                    ProduceResponseData r = wire.send(
                            new ProduceRequestData()
                                    .setAcks((short) -1)
                                    .setTimeoutMs(10_000)
                                    .setTopicData(topics),
                            12);
                    ProduceResponseData.PartitionProduceResponse p =
                            r.responses().iterator().next().partitionResponses().get(0);
                    assertEquals(Errors.INVALID_RECORD.code(), p.errorCode());
                    assertEquals(10_000, p.recordErrors().size());
                    assertEquals(0, p.recordErrors().get(0).batchIndex());
                    assertEquals(9_999, p.recordErrors().get(9_999).batchIndex());
                    assertTrue(
                            p.errorMessage().contains("due to " + RECORDS + " record errors in total"),
                            p.errorMessage());
                }
            }
            assertEquals(0, broker.recordCount("keys-required"));
            survival.assertServedAndRestartsIntact();
        }
    }
}
