package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanerTest {
    @TempDir
    Path tmp;

    /** What the broker would pass: keys from its record decoder, a rewrite that re-encodes kept records. */
    static final Cleaner.KeyExtractor KEYS = batch -> {
        long base = BatchHeader.baseOffset(batch, batch.position());
        List<Cleaner.KeyedOffset> out = new ArrayList<>();
        for (TestBatches.Rec r : TestBatches.records(batch)) {
            out.add(new Cleaner.KeyedOffset(
                    base + r.offsetDelta(),
                    ByteBuffer.wrap(r.key().getBytes(StandardCharsets.UTF_8)),
                    r.value() == null));
        }
        return out;
    };

    final AtomicInteger rewrites = new AtomicInteger();
    final Cleaner.BatchRewriter rewriter = (batch, keep) -> {
        rewrites.incrementAndGet();
        int at = batch.position();
        long base = BatchHeader.baseOffset(batch, at);
        List<TestBatches.Rec> kept = TestBatches.records(batch).stream()
                .filter(r -> keep.test(base + r.offsetDelta()))
                .toList();
        return TestBatches.build(
                base, BatchHeader.maxTimestamp(batch, at), BatchHeader.lastOffsetDelta(batch, at), kept);
    };

    /** Latest value per key as a reader of the whole log sees it. */
    static Map<String, String> view(Log log) {
        Map<String, String> out = new LinkedHashMap<>();
        forEachRecord(log, r -> out.put(r.key(), r.value() == null ? null : new String(r.value())));
        return out;
    }

    /** Every record of the log, oldest first. */
    static void forEachRecord(Log log, java.util.function.Consumer<TestBatches.Rec> action) {
        for (long next = log.logStartOffset(); next < log.logEndOffset(); ) {
            ByteBuffer all = log.read(next, 1 << 20, true).readFully();
            for (int at = all.position(); at < all.limit(); ) {
                int size = BatchHeader.totalSize(all, at);
                ByteBuffer batch = all.duplicate().position(at).limit(at + size).slice();
                TestBatches.records(batch).forEach(action);
                next = BatchHeader.baseOffset(all, at) + BatchHeader.lastOffsetDelta(all, at) + 1;
                at += size;
            }
        }
    }

    @Test
    void keepsTheLatestRecordOfEachKeyAndSurvivesReopen() {
        Path dir = tmp.resolve("compacted-0");
        SegmentedLog log = SegmentedLog.open(
                dir, LogConfig.defaults().withSegmentBytes(600).withIndexIntervalBytes(64));
        long ts = System.currentTimeMillis();
        for (int round = 0; round < 5; round++) {
            log.append(TestBatches.keyed(ts, "a", "a" + round, "b", "b" + round));
            log.append(TestBatches.keyed(ts, "c", "c" + round));
        }
        log.append(TestBatches.keyed(ts, "b", "b-new")); // leaves (a4, b4) half alive: a rewrite
        for (int i = 0; i < 6; i++) log.append(TestBatches.keyed(ts, "c", "c-more" + i));
        log.append(TestBatches.keyed(ts, "a", "a-last", "d", null));
        Map<String, String> expected = view(log);
        long end = log.logEndOffset();
        long sizeBefore = log.sizeInBytes();
        // the index of aborted transactions carries over to the compacted segment (markers have no key)
        AbortedTxn aborted = new AbortedTxn(7, 0, 1, 2);
        log.appendAbortedTransaction(aborted);
        assertTrue(log.segmentBaseOffsets().size() > 2);

        Cleaner.Result result = new Cleaner(KEYS, rewriter).clean(log);
        assertTrue(result.segmentsCleaned() > 0);
        assertTrue(log.sizeInBytes() < sizeBefore, log.sizeInBytes() + " < " + sizeBefore);
        assertEquals(expected, view(log));
        assertEquals(end, log.logEndOffset(), "offsets never change");
        assertTrue(rewrites.get() > 0, "some batch kept only part of its records");
        assertEquals(List.of(aborted), log.abortedTransactions(0, end));
        log.close();

        SegmentedLog again = SegmentedLog.open(dir, LogConfig.defaults().withSegmentBytes(600));
        assertEquals(expected, view(again));
        assertEquals(List.of(aborted), again.abortedTransactions(0, end));
        assertEquals(end, again.logEndOffset());
        again.close();
    }

    @Test
    void anInterruptedSwapIsCompletedOnOpen() throws Exception {
        Path dir = tmp.resolve("swap-0");
        SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults().withSegmentBytes(300));
        long ts = System.currentTimeMillis();
        for (int i = 0; i < 6; i++) log.append(TestBatches.keyed(ts, "k", "v" + i));
        List<TestBatches.Read> before = SegmentedLogTest.everything(log);
        log.close();
        // a crash right after .cleaned became .swap: the copy (here identical) must replace the segment
        Path seg = dir.resolve(Segment.fileName(0, ".log"));
        Files.copy(seg, dir.resolve(Segment.fileName(0, ".log.swap")));
        Files.write(dir.resolve(Segment.fileName(0, ".log.cleaned")), new byte[7]);
        SegmentedLog again = SegmentedLog.open(dir, LogConfig.defaults().withSegmentBytes(300));
        assertEquals(before, SegmentedLogTest.everything(again));
        assertFalse(Files.exists(dir.resolve(Segment.fileName(0, ".log.swap"))));
        assertFalse(Files.exists(dir.resolve(Segment.fileName(0, ".log.cleaned"))));
        again.close();
    }

    /** Every value of {@code key} in the log, oldest first (null for a tombstone). */
    static List<String> values(Log log, String key) {
        List<String> out = new ArrayList<>();
        forEachRecord(log, r -> {
            if (r.key().equals(key)) out.add(r.value() == null ? null : new String(r.value()));
        });
        return out;
    }

    /** {@code batch} as the data of a transaction of producer {@code producerId}. */
    static ByteBuffer transactional(ByteBuffer batch, long producerId) {
        batch.putShort(BatchHeader.ATTRIBUTES, (short) 0x10);
        batch.putLong(BatchHeader.PRODUCER_ID, producerId);
        batch.putShort(BatchHeader.PRODUCER_EPOCH, (short) 0);
        batch.putInt(BatchHeader.BASE_SEQUENCE, 0);
        batch.putInt(BatchHeader.CRC, (int) BatchHeader.computeCrc(batch, 0, batch.remaining()));
        return batch;
    }

    @Test
    void abortedDataIsRemovedAndNeverTakesTheCommittedRecordsPlace() {
        SegmentedLog log =
                SegmentedLog.open(tmp.resolve("aborted-0"), LogConfig.defaults().withSegmentBytes(300));
        long ts = System.currentTimeMillis();
        log.append(TestBatches.keyed(ts, "k", "committed"));
        long first = log.logEndOffset();
        log.append(transactional(TestBatches.keyed(ts, "k", "aborted", "j", "aborted"), 9));
        long marker = log.logEndOffset();
        // stands in for the abort marker: the cleaner knows aborts from the log's index of them
        log.append(TestBatches.keyed(ts, "marker", "abort"));
        log.appendAbortedTransaction(new AbortedTxn(9, first, marker, marker + 1));
        for (int i = 0; i < 10; i++) log.append(TestBatches.keyed(ts, "filler" + i, "x"));
        long end = log.logEndOffset();

        new Cleaner(KEYS, rewriter).clean(log, Long.MIN_VALUE, end, 0);
        assertEquals(List.of("committed"), values(log, "k"));
        assertEquals(List.of(), values(log, "j"), "a key written only by the aborted transaction");
        assertEquals(List.of("abort"), values(log, "marker"));
        assertEquals(end, log.logEndOffset());
        log.close();
    }

    @Test
    void nothingFromTheBoundOnIsCompacted() {
        SegmentedLog log =
                SegmentedLog.open(tmp.resolve("bound-0"), LogConfig.defaults().withSegmentBytes(300));
        long ts = System.currentTimeMillis();
        log.append(TestBatches.keyed(ts, "early", "1"));
        log.append(TestBatches.keyed(ts, "early", "2"));
        for (int i = 0; i < 4; i++) log.append(TestBatches.keyed(ts, "before" + i, "x"));
        log.append(TestBatches.keyed(ts, "k", "committed"));
        long open = log.logEndOffset(); // an open transaction starts here: the log's last stable offset
        log.append(transactional(TestBatches.keyed(ts, "k", "pending"), 9));
        for (int i = 0; i < 10; i++) log.append(TestBatches.keyed(ts, "after" + i, "x"));
        assertTrue(log.segmentBaseOffsets().size() > 3);

        new Cleaner(KEYS, rewriter).clean(log, Long.MIN_VALUE, open, 0);
        assertEquals(List.of("2"), values(log, "early"), "below the bound: compacted");
        assertEquals(List.of("committed", "pending"), values(log, "k"));
        log.close();
    }

    @Test
    void aFullMapIsTakenUpWhereItStoppedUntilEveryKeyIsCompacted() {
        SegmentedLog log =
                SegmentedLog.open(tmp.resolve("full-0"), LogConfig.defaults().withSegmentBytes(4096));
        long ts = System.currentTimeMillis();
        int keys = 2_000;
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < keys; k++) log.append(TestBatches.keyed(ts, "key" + k, "r" + round));
        long end = log.logEndOffset();
        Cleaner cleaner = new Cleaner(KEYS, rewriter, 1); // the smallest map: 768 keys

        int passes = 0, filled = 0;
        long from = log.logStartOffset();
        for (Cleaner.Result r; ; ) {
            r = cleaner.clean(log, Long.MIN_VALUE, Long.MAX_VALUE, from);
            passes++;
            if (r.complete()) break;
            filled++;
            assertTrue(r.mappedTo() > from, "every pass gets further: " + r);
            from = r.mappedTo();
            assertTrue(passes < 20, "the passes do not end");
        }
        assertTrue(filled >= 4, filled + " passes filled the map");
        List<Long> bases = log.segmentBaseOffsets();
        long active = bases.get(bases.size() - 1); // never compacted, nor are its keys mapped
        for (int k = 0; k < keys; k++)
            assertEquals(keys + k < active ? List.of("r1") : List.of("r0", "r1"), values(log, "key" + k), "key" + k);
        assertEquals(end, log.logEndOffset());
        log.close();
    }
}
