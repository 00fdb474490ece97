package dev.skiff.broker.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.Uuid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of one share partition without sockets: acquisition, acknowledgement, locks, limits, snapshots. */
class SharePartitionTest {

    private static final long NOW = 1_000_000L;
    private static final ShareConfig CONFIG = new ShareConfig(30_000, 3, 5_000, 45_000, 10, 200, 100, 1);
    private static final SharePartitionKey KEY = new SharePartitionKey("g", Uuid.random(), 0);

    private final TopicManager topics = new TopicManager(BrokerConfig.of(Map.of()), LogFactory.memory());
    private final Partition log = topics.create("t", 1, Map.of()).partition(0);

    @AfterEach
    void close() {
        topics.close();
    }

    private void produce(int records) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (int i = 0; i < records; i++) b.append(NOW, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        log.append(b.build());
    }

    private static List<SharePartition.Acquired> acquire(SharePartition p, String member, Partition log, long now) {
        return p.acquire(member, log, 100, 1 << 20, now).acquired();
    }

    private static List<SharePartition.AckBatch> ack(long first, long last, byte type) {
        return List.of(new SharePartition.AckBatch(first, last, new byte[] {type}));
    }

    @Test
    void releasedRecordsComeBackUntilTheLimitArchivesThem() {
        produce(3);
        SharePartition p = new SharePartition(KEY, CONFIG, 0, NOW);
        assertEquals(List.of(new SharePartition.Acquired(0, 2, (short) 1)), acquire(p, "a", log, NOW));
        assertEquals(List.of(), acquire(p, "b", log, NOW), "all held by a");
        assertEquals(Errors.INVALID_RECORD_STATE, p.acknowledge("b", ack(0, 0, SharePartition.ACCEPT), NOW));
        assertEquals(Errors.NONE, p.acknowledge("a", ack(1, 2, SharePartition.ACCEPT), NOW));
        assertEquals(Errors.NONE, p.acknowledge("a", ack(0, 0, SharePartition.RELEASE), NOW));
        assertEquals(List.of(new SharePartition.Acquired(0, 0, (short) 2)), acquire(p, "b", log, NOW));
        assertEquals(Errors.NONE, p.acknowledge("b", ack(0, 0, SharePartition.RELEASE), NOW));
        assertEquals(List.of(new SharePartition.Acquired(0, 0, (short) 3)), acquire(p, "a", log, NOW));
        assertEquals(Errors.NONE, p.acknowledge("a", ack(0, 0, SharePartition.RELEASE), NOW));
        assertEquals(List.of(), acquire(p, "a", log, NOW), "archived at the limit");
        assertEquals(3, p.startOffset());
    }

    @Test
    void anExpiredLockReleasesAndAnAcknowledgementThenFails() {
        produce(2);
        SharePartition p = new SharePartition(KEY, CONFIG, 0, NOW);
        acquire(p, "a", log, NOW);
        long later = NOW + CONFIG.recordLockDurationMs();
        assertEquals(List.of(new SharePartition.Acquired(0, 1, (short) 2)), acquire(p, "b", log, later));
        assertEquals(Errors.INVALID_RECORD_STATE, p.acknowledge("a", ack(0, 1, SharePartition.ACCEPT), later));
        assertEquals(Errors.NONE, p.acknowledge("b", ack(0, 1, SharePartition.REJECT), later));
        assertEquals(2, p.startOffset(), "rejected records are done");
    }

    @Test
    void theWindowHoldsAtMostTheRecordLocks() {
        produce(4);
        produce(4);
        produce(4);
        SharePartition p = new SharePartition(KEY, CONFIG, 0, NOW);
        assertEquals(
                List.of(new SharePartition.Acquired(0, 9, (short) 1)),
                acquire(p, "a", log, NOW),
                "the window ends at 10 locks, inside the third batch");
        assertEquals(List.of(), acquire(p, "b", log, NOW));
        assertEquals(Errors.NONE, p.acknowledge("a", ack(0, 3, SharePartition.ACCEPT), NOW));
        assertEquals(List.of(new SharePartition.Acquired(10, 11, (short) 1)), acquire(p, "b", log, NOW));
    }

    @Test
    void aSnapshotKeepsStartOffsetStatesAndCounts() {
        produce(4);
        SharePartition p = new SharePartition(KEY, CONFIG, 0, NOW);
        acquire(p, "a", log, NOW);
        p.acknowledge(
                "a",
                List.of(new SharePartition.AckBatch(0, 3, new byte[] {
                    SharePartition.ACCEPT, SharePartition.RELEASE, SharePartition.ACCEPT, SharePartition.REJECT
                })),
                NOW);
        SharePartition restored = SharePartition.restore(KEY, CONFIG, p.snapshot(NOW));
        assertEquals(1, restored.startOffset());
        assertEquals(List.of(new SharePartition.Acquired(1, 1, (short) 2)), acquire(restored, "c", log, NOW));
        assertEquals(Errors.NONE, restored.acknowledge("c", ack(1, 1, SharePartition.ACCEPT), NOW));
        assertEquals(4, restored.startOffset());
    }

    @Test
    void everyAcquisitionIsWrittenSoDeliveryCountsKeepRisingAfterARestart() {
        produce(2);
        SharePartition p = new SharePartition(KEY, CONFIG, 0, NOW);
        acquire(p, "a", log, NOW);
        p.acknowledge("a", ack(0, 1, SharePartition.RELEASE), NOW);
        p.snapshot(NOW); // written
        assertEquals(List.of(new SharePartition.Acquired(0, 1, (short) 2)), acquire(p, "b", log, NOW));
        assertTrue(p.dirty(), "the second delivery's count is to be written before it is answered");
        SharePartition restored = SharePartition.restore(KEY, CONFIG, p.snapshot(NOW));
        assertEquals(
                List.of(new SharePartition.Acquired(0, 1, (short) 3)),
                acquire(restored, "c", log, NOW),
                "not a second delivery numbered 2");
    }
}
