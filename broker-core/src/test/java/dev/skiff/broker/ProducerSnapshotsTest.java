package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.producer.ProducerStateSnapshot;
import dev.skiff.config.BrokerConfig;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer-state snapshots end to end without sockets: written at roll and at close, read at the first use
 * after a restart with only the batches after them, and skipped when damaged.
 */
class ProducerSnapshotsTest {
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    private final BrokerConfig config = BrokerConfig.of(Map.of());
    private final List<TopicManager> managers = new ArrayList<>();
    private TopicManager topics;
    private Partitions partitions;
    private Topic topic;
    private Partition p;

    /** Files under the data dir with 4 KiB segments (topic configs cannot go below 1 MiB). */
    private LogFactory smallSegments() {
        return new ForwardingLogs(LogFactory.files(dataDir)) {
            @Override
            public Log open(TopicPartition tp, LogConfig config) {
                return super.open(tp, config.withSegmentBytes(4096));
            }

            @Override
            public Log create(TopicPartition tp, LogConfig config) {
                return super.create(tp, config.withSegmentBytes(4096));
            }
        };
    }

    /** Starts a broker's topics on the data dir (the previous one is left as it is: closed, or "crashed"). */
    private void start() {
        topics = new TopicManager(config, smallSegments());
        managers.add(topics);
        partitions = new Partitions(topics, (id, epoch, tp) -> Errors.NONE, config, () -> NOW);
        topic = topics.get("t") != null ? topics.get("t") : topics.create("t", 1, Map.of());
        p = topic.partition(0);
    }

    @AfterEach
    void closeAll() {
        for (TopicManager m : managers) {
            try {
                m.close();
            } catch (RuntimeException ignored) {
            }
        }
    }

    private long append(RecordsData records) {
        return partitions
                .appendRecords(topic, p, records, (short) -1, AppendOrigin.CLIENT, false)
                .baseOffset();
    }

    private static RecordsData idempotent(long producerId, int epoch, int seq, int n) {
        return batch(new RecordBatchBuilder(CompressionType.NONE).producer(producerId, (short) epoch, seq), n);
    }

    private static RecordsData transactional(long producerId, int seq, int n) {
        return batch(
                new RecordBatchBuilder(CompressionType.NONE)
                        .producer(producerId, (short) 0, seq)
                        .transactional(true),
                n);
    }

    private static RecordsData batch(RecordBatchBuilder b, int n) {
        for (int i = 0; i < n; i++)
            b.append(NOW, null, ("value-" + i + "-".repeat(40)).getBytes(StandardCharsets.UTF_8));
        return BufferRecords.of(b.build());
    }

    /** Appends batches of 5 records from producer 7, epoch 0, until the log has {@code segments}; returns the next seq. */
    private int produceUntilSegments(int segments) {
        int seq = 0;
        while (p.log().segmentBaseOffsets().size() < segments) {
            append(idempotent(7, 0, seq, 5));
            seq += 5;
        }
        return seq;
    }

    private List<Path> snapshotFiles() throws Exception {
        try (Stream<Path> list = Files.list(dataDir.resolve("t-0"))) {
            return list.filter(f -> f.toString().endsWith(".snapshot")).sorted().toList();
        }
    }

    private static void assertError(Errors expected, Runnable action) {
        ApiException e = assertThrows(ApiException.class, action::run);
        assertEquals(expected, e.error(), e.getMessage());
    }

    @Test
    void aCleanRestartReadsTheSnapshotOfTheCloseAndNoBatch() throws Exception {
        start();
        int seq = produceUntilSegments(4);
        long lastBatch = p.log().logEndOffset() - 5;
        assertEquals(2, snapshotFiles().size(), "one per roll, the newest two kept");
        long end = p.log().logEndOffset();
        topics.close();
        assertTrue(Files.exists(dataDir.resolve("t-0").resolve(String.format("%020d.snapshot", end))));

        start();
        ProducerStateTable state = p.producers();
        assertEquals(end, state.loadedFromSnapshot());
        assertEquals(0, state.batchesScannedAtLoad());
        // a retry of the last batch is still a duplicate, answered with its first offset
        assertEquals(lastBatch, append(idempotent(7, 0, seq - 5, 5)));
        assertEquals(end, p.log().logEndOffset());
        // and so is one of the four before it (all five kept batches are in the snapshot)
        assertEquals(lastBatch - 20, append(idempotent(7, 0, seq - 25, 5)));
        assertError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> append(idempotent(7, 0, seq + 5, 5)));
        assertEquals(end, append(idempotent(7, 0, seq, 5)));
        assertEquals(end + 5, append(idempotent(7, 1, 0, 5))); // a new epoch starts at 0
        assertError(Errors.INVALID_PRODUCER_EPOCH, () -> append(idempotent(7, 0, seq + 5, 5)));
    }

    @Test
    void aCrashRestartReadsTheSnapshotOfTheLastRollAndTheBatchesAfterIt() {
        start();
        int seq = produceUntilSegments(3);
        append(idempotent(7, 0, seq, 5));
        append(idempotent(7, 0, seq + 5, 5));
        List<Long> bases = p.log().segmentBaseOffsets();
        long activeBase = bases.get(bases.size() - 1);
        long end = p.log().logEndOffset();
        int batchesAfter = (int) ((end - activeBase) / 5);

        start(); // the first broker never closed: no close snapshot, no clean-shutdown marker
        ProducerStateTable state = p.producers();
        assertEquals(activeBase, state.loadedFromSnapshot());
        assertEquals(batchesAfter, state.batchesScannedAtLoad());
        assertEquals(end - 5, append(idempotent(7, 0, seq + 5, 5)));
        assertEquals(end, append(idempotent(7, 0, seq + 10, 5)));
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToTheOlderOneAndAllDamagedToTheWholeLog() throws Exception {
        start();
        int seq = produceUntilSegments(4);
        long end = p.log().logEndOffset();
        long batches = end / 5;
        topics.close();
        List<Path> files = snapshotFiles(); // the two of the rolls and the one of the close: the newest two
        assertEquals(2, files.size());
        byte[] newest = Files.readAllBytes(files.get(1));
        newest[newest.length - 1] ^= 1;
        Files.write(files.get(1), newest);

        start();
        long older = p.log().producerSnapshotOffsets().get(0);
        ProducerStateTable state = p.producers();
        assertEquals(older, state.loadedFromSnapshot());
        assertEquals((end - older) / 5, state.batchesScannedAtLoad());
        topics.close();

        for (Path f : snapshotFiles()) Files.write(f, new byte[] {0, 1, 0}); // truncated and garbled
        start();
        state = p.producers();
        assertEquals(-1, state.loadedFromSnapshot());
        assertEquals(batches, state.batchesScannedAtLoad());
        assertEquals(end - 5, append(idempotent(7, 0, seq - 5, 5)));
    }

    @Test
    void aNewLogFollowsItsProducersFromTheFirstBatchWithoutReadingItBack() throws Exception {
        start();
        RecordsData plain = batch(new RecordBatchBuilder(CompressionType.NONE), 5);
        while (p.log().segmentBaseOffsets().size() < 3) append(plain);
        append(idempotent(7, 0, 0, 5));
        // the rolls snapshotted state followed since the first batch, not state read back from the log
        ProducerStateTable state = p.producers();
        assertEquals(0, state.batchesScannedAtLoad());
        long end = p.log().logEndOffset();
        topics.close();
        assertTrue(Files.exists(dataDir.resolve("t-0").resolve(String.format("%020d.snapshot", end))));

        start();
        append(plain); // after a clean restart the close's snapshot is the state at the end: followed from it
        ProducerStateTable followed = p.producers();
        assertEquals(end, followed.loadedFromSnapshot());
        assertEquals(0, followed.batchesScannedAtLoad());
        assertEquals(end - 5, append(idempotent(7, 0, 0, 5))); // the retry is still known
    }

    @Test
    void afterACrashTheFirstPlainAppendDoesNotReadTheLogBack() {
        start();
        RecordsData plain = batch(new RecordBatchBuilder(CompressionType.NONE), 5);
        while (p.log().segmentBaseOffsets().size() < 2) append(plain);
        append(plain);
        append(plain);

        start(); // no close: the newest snapshot is the roll's, three batches behind the end (the roll's own)
        append(plain);
        ProducerStateTable state = p.producers(); // loaded here, on first use, so it reads the new one too
        assertEquals(4, state.batchesScannedAtLoad());
    }

    @Test
    void anOpenTransactionIsKeptBySnapshots() {
        start();
        long txnStart = p.log().logEndOffset();
        append(transactional(3, 0, 2));
        produceUntilSegments(3);
        assertEquals(txnStart, p.lastStableOffset());
        topics.close();
        start();
        assertEquals(txnStart, p.lastStableOffset());
        assertTrue(p.producers().loadedFromSnapshot() > txnStart);
    }

    @Test
    void theCodecKeepsEveryBatchAndRefusesDamage() {
        ProducerStateTable table = new ProducerStateTable();
        table.update(7, (short) 2, 10, 14, 100, 104, NOW);
        table.update(7, (short) 2, 15, 19, 105, 109, NOW + 1);
        table.update(9, (short) 0, Integer.MAX_VALUE - 1, 1, 200, 203, NOW); // sequence wraps
        table.updateEpoch(11, (short) 4, 300, NOW);
        ByteBuffer bytes = ProducerStateSnapshot.encode(table, Map.of(9L, 150L, 12L, 160L));
        assertEquals(10 + 5 * 46, bytes.remaining());
        assertEquals(1, bytes.getShort(0));

        List<ProducerStateSnapshot.Entry> entries = ProducerStateSnapshot.decode(bytes);
        ProducerStateTable back = new ProducerStateTable();
        for (ProducerStateSnapshot.Entry e : entries) back.restore(e.batch());
        assertEquals(table.snapshotEntries(), back.snapshotEntries());
        assertEquals(
                List.of(150L, 160L),
                entries.stream()
                        .filter(e -> e.currentTxnFirstOffset() >= 0)
                        .map(ProducerStateSnapshot.Entry::currentTxnFirstOffset)
                        .sorted()
                        .toList());

        ByteBuffer flipped =
                ByteBuffer.allocate(bytes.remaining()).put(bytes.duplicate()).flip();
        flipped.put(20, (byte) (flipped.get(20) ^ 1));
        assertThrows(IllegalArgumentException.class, () -> ProducerStateSnapshot.decode(flipped));
        assertThrows(
                IllegalArgumentException.class,
                () -> ProducerStateSnapshot.decode(bytes.duplicate().limit(40)));
        assertThrows(IllegalArgumentException.class, () -> ProducerStateSnapshot.decode(ByteBuffer.allocate(3)));
    }
}
