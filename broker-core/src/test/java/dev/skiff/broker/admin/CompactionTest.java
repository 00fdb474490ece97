package dev.skiff.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.log.Cleaner;
import dev.skiff.log.LogConfig;
import dev.skiff.log.SegmentedLog;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log cleaner with the broker's record decoding: what a compacted topic keeps, at which offsets. */
class CompactionTest {

    @TempDir
    Path tmp;

    private SegmentedLog log;
    private final Cleaner cleaner = new Cleaner(CompactionRecords::keys, CompactionRecords::rewrite);

    @AfterEach
    void close() {
        if (log != null) log.close();
    }

    private SegmentedLog open() {
        log = SegmentedLog.open(
                tmp.resolve("t-0"), LogConfig.defaults().withSegmentBytes(400).withIndexIntervalBytes(64));
        return log;
    }

    /** One batch of key/value pairs (a null value is a tombstone). */
    private static ByteBuffer batch(CompressionType codec, long ts, String... kv) {
        RecordBatchBuilder b = new RecordBatchBuilder(codec);
        for (int i = 0; i < kv.length; i += 2) {
            b.append(ts, bytes(kv[i]), bytes(kv[i + 1]));
        }
        return b.build();
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(ByteBuffer b) {
        return b == null ? null : new String(Record.bytes(b), StandardCharsets.UTF_8);
    }

    /** Every record of the log as offset -> "key=value". */
    private static Map<Long, String> records(SegmentedLog log) {
        Map<Long, String> out = new LinkedHashMap<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            ByteBuffer buf = log.read(next, 1 << 20, true).readFully();
            if (!buf.hasRemaining()) break;
            for (RecordBatch b : RecordBatches.batches(buf)) {
                b.ensureValid();
                for (Record r : b.readRecords()) out.put(r.offset(), str(r.key()) + "=" + str(r.value()));
                next = b.nextOffset();
            }
        }
        return out;
    }

    @Test
    void keepsTheLatestValuePerKeyAtItsOriginalOffset() {
        SegmentedLog log = open();
        long ts = System.currentTimeMillis();
        for (int round = 0; round < 6; round++) {
            log.append(batch(CompressionType.NONE, ts, "a", "a" + round, "b", "b" + round));
            log.append(batch(CompressionType.LZ4, ts, "c", "c" + round));
        }
        log.append(batch(CompressionType.NONE, ts, "b", "b-last"));
        for (int i = 0; i < 8; i++) log.append(batch(CompressionType.NONE, ts, "filler" + i, "x"));
        long end = log.logEndOffset();
        assertTrue(log.segmentBaseOffsets().size() > 2, "several segments");

        Cleaner.Result r = cleaner.clean(log);

        assertTrue(r.segmentsCleaned() > 0);
        Map<Long, String> after = records(log);
        assertEquals("a=a5", after.get(15L)); // round 5: a at 15, b at 16, c at 17
        assertNull(after.get(16L), "b5 was superseded by b-last");
        assertEquals("c=c5", after.get(17L));
        assertEquals("b=b-last", after.get(18L));
        for (long o = 0; o < 15; o++) assertNull(after.get(o), "superseded record at " + o);
        assertEquals(end, log.logEndOffset(), "compaction never changes the log end offset");
        assertEquals(0, r.tombstonesKept());
        // a second pass has nothing left to do
        assertEquals(0, cleaner.clean(log).segmentsCleaned());
    }

    @Test
    void tombstonesStayUntilDeleteRetentionHasPassed() {
        SegmentedLog log = open();
        long old = System.currentTimeMillis() - 10_000;
        log.append(batch(CompressionType.NONE, old, "k", "v1", "gone", "x"));
        log.append(batch(CompressionType.GZIP, old, "gone", null, "k", "v2"));
        for (int i = 0; i < 12; i++) log.append(batch(CompressionType.NONE, old + 5_000, "f" + i, "y"));

        // horizon before the tombstone's timestamp: it is the latest of its key and stays
        Cleaner.Result first = cleaner.clean(log, old - 1, Long.MAX_VALUE, log.logStartOffset());
        Map<Long, String> kept = records(log);
        assertEquals("gone=null", kept.get(2L));
        assertEquals("k=v2", kept.get(3L));
        assertNull(kept.get(0L));
        assertNull(kept.get(1L));
        assertEquals(1, first.tombstonesKept());

        // once the horizon has passed its segment's newest record, the tombstone goes; the latest values stay
        Cleaner.Result second = cleaner.clean(log, old + 5_001, Long.MAX_VALUE, log.logStartOffset());
        Map<Long, String> now = records(log);
        assertNull(now.get(2L), "expired tombstone dropped");
        assertEquals("k=v2", now.get(3L));
        assertEquals(0, second.tombstonesKept());
    }

    @Test
    void recordsWithoutKeysAndPartiallyKeptBatchesStayValid() {
        SegmentedLog log = open();
        long ts = System.currentTimeMillis();
        RecordBatchBuilder idempotent = new RecordBatchBuilder(CompressionType.SNAPPY).producer(7L, (short) 0, 0);
        idempotent
                .append(ts, bytes("p"), bytes("1"))
                .append(ts, null, bytes("no key"))
                .append(ts, bytes("q"), bytes("1"));
        log.append(idempotent.build());
        log.append(batch(CompressionType.NONE, ts, "q", "2"));
        for (int i = 0; i < 10; i++) log.append(batch(CompressionType.NONE, ts, "f" + i, "z"));
        cleaner.clean(log);
        Map<Long, String> after = records(log);
        assertEquals("p=1", after.get(0L));
        assertEquals("null=no key", after.get(1L));
        assertNull(after.get(2L));
        assertEquals("q=2", after.get(3L));
        // the rewritten first batch keeps its producer fields and its last offset delta
        RecordBatch first = RecordBatches.batches(log.read(0, 1 << 20, true).readFully())
                .iterator()
                .next();
        assertEquals(7L, first.producerId());
        assertEquals(2, first.lastOffsetDelta());
        assertEquals(2, first.recordCount());
        assertEquals(CompressionType.SNAPPY, first.compressionType());
        List<Long> offsets = new ArrayList<>();
        for (Record r : first.readRecords()) offsets.add(r.offset());
        assertEquals(List.of(0L, 1L), offsets);
    }
}
