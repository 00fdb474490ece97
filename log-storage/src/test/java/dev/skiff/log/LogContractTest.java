package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link Log} must show; run against the segmented and the in-memory log. */
abstract class LogContractTest {
    static final long T0 = 1_700_000_000_000L;
    final AtomicLong clock = new AtomicLong(T0);
    final List<Log> opened = new ArrayList<>();

    /** A fresh, empty log. */
    abstract Log newLog(LogConfig config);

    Log log(LogConfig config) {
        Log log = newLog(config);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeLogs() {
        for (Log log : opened) {
            try {
                log.close();
            } catch (RuntimeException ignored) {
            }
        }
    }

    static LogConfig small() {
        return LogConfig.defaults()
                .withSegmentBytes(2048)
                .withIndexIntervalBytes(256)
                .withRetentionMs(-1);
    }

    /** Appends {@code count} batches of 1..4 records, timestamps following the clock; returns the batches' base offsets. */
    static List<Long> appendMany(Log log, int count, AtomicLong clock) {
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Log.AppendInfo info = log.append(TestBatches.batch(1 + i % 4, clock.get(), 20 + (i * 7) % 60));
            bases.add(info.firstOffset());
            clock.addAndGet(10);
        }
        return bases;
    }

    @Test
    void appendAssignsOffsetsAndRewritesBaseOffsets() {
        Log log = log(small());
        ByteBuffer two = TestBatches.concat(TestBatches.batch(3, T0, 10), TestBatches.batch(2, T0 + 5, 10));
        Log.AppendInfo info = log.append(two);
        assertEquals(new Log.AppendInfo(0, 4, T0 + 5 + 1, 2), info);
        assertEquals(
                3, two.getLong(two.position() + TestBatches.batch(3, T0, 10).remaining()));
        assertEquals(5, log.logEndOffset());
        Log.AppendInfo next = log.append(TestBatches.batch(1, T0, 10));
        assertEquals(5, next.firstOffset());
        assertEquals(5, next.lastOffset());
        assertEquals(0, log.logStartOffset());
    }

    @Test
    void readsEveryOffsetAcrossSegmentRolls() {
        Log log = log(small());
        appendMany(log, 200, clock);
        assertTrue(log.segmentBaseOffsets().size() > 5, "rolled: " + log.segmentBaseOffsets());
        assertEquals(log.segmentBaseOffsets().size(), log.segmentLastModified().size());
        for (long o = 0; o < log.logEndOffset(); o++) {
            List<TestBatches.Read> got = TestBatches.batches(log.read(o, 1 << 20, true));
            assertFalse(got.isEmpty(), "offset " + o);
            assertTrue(
                    got.get(0).baseOffset() <= o && o <= got.get(0).lastOffset(), "offset " + o + " -> " + got.get(0));
        }
        // walking the log batch by batch yields every offset once, in order
        long next = 0;
        int batches = 0;
        while (next < log.logEndOffset()) {
            List<TestBatches.Read> got = TestBatches.batches(log.read(next, 700, true));
            for (TestBatches.Read r : got) {
                assertEquals(next, r.baseOffset());
                next = r.lastOffset() + 1;
                batches++;
            }
        }
        assertEquals(200, batches);
        assertEquals(0, log.read(log.logEndOffset(), 1000, true).size());
        assertThrows(Log.OffsetOutOfRangeException.class, () -> log.read(log.logEndOffset() + 1, 1000, true));
        assertThrows(Log.OffsetOutOfRangeException.class, () -> log.read(-1, 1000, true));
    }

    @Test
    void maxBytesAndMinOneBatch() {
        Log log = log(LogConfig.defaults().withIndexIntervalBytes(100));
        int size = TestBatches.batch(2, T0, 100).remaining();
        for (int i = 0; i < 10; i++) log.append(TestBatches.batch(2, T0, 100));
        assertEquals(0, log.read(0, size - 1, false).size());
        assertEquals(size, log.read(0, size - 1, true).size());
        assertEquals(size, log.read(1, size, false).size());
        assertEquals(2 * size, log.read(0, 2 * size + size / 2, false).size());
        assertEquals(10 * size, log.read(0, 1 << 20, false).size());
        assertEquals(7 * size, log.read(7, 7 * size, false).size());
        assertEquals(4 * size, log.read(13, 7 * size, false).size(), "only what is left");
        for (int max = 0; max < 11 * size; max += 37) {
            assertEquals(Math.max(1, max / size) * size, log.read(0, max, true).size(), "maxBytes " + max);
            assertEquals(max / size * size, log.read(0, max, false).size(), "maxBytes " + max);
        }
    }

    @Test
    void offsetForTimestampAndMaxTimestamp() {
        Log log = log(small());
        assertNull(log.offsetForTimestamp(0));
        assertNull(log.maxTimestamp());
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < 100; i++)
            bases.add(log.append(TestBatches.batch(2, T0 + i * 10, 50)).firstOffset());
        // batch i holds timestamps T0 + 10i and T0 + 10i + 1
        for (int i = 0; i < 100; i++) {
            Log.TimestampOffset exact = log.offsetForTimestamp(T0 + i * 10 + 1);
            assertEquals(new Log.TimestampOffset(T0 + i * 10 + 1, bases.get(i)), exact);
            Log.TimestampOffset between = log.offsetForTimestamp(T0 + i * 10 + 5);
            if (i < 99) assertEquals(bases.get(i + 1), between.offset());
            else assertNull(between);
        }
        assertEquals(new Log.TimestampOffset(T0 + 1, 0), log.offsetForTimestamp(0));
        assertNull(log.offsetForTimestamp(T0 + 10_000));
        assertEquals(new Log.TimestampOffset(T0 + 991, bases.get(99)), log.maxTimestamp());
        // a late, older batch does not change the maximum
        log.append(TestBatches.batch(1, T0, 10));
        assertEquals(new Log.TimestampOffset(T0 + 991, bases.get(99)), log.maxTimestamp());
    }

    @Test
    void retentionBySize() {
        Log log = log(small().withRetentionBytes(5000));
        appendMany(log, 300, clock);
        long before = log.sizeInBytes();
        int segmentsBefore = log.segmentBaseOffsets().size();
        int removed = log.applyRetention(clock.get());
        assertTrue(removed > 0);
        assertEquals(segmentsBefore - removed, log.segmentBaseOffsets().size());
        assertTrue(log.sizeInBytes() <= before);
        assertTrue(log.sizeInBytes() >= 5000 - 2048, "kept " + log.sizeInBytes());
        assertTrue(log.sizeInBytes() <= 5000 + 2048, "kept " + log.sizeInBytes());
        long start = log.logStartOffset();
        assertEquals(log.segmentBaseOffsets().get(0), start);
        assertThrows(Log.OffsetOutOfRangeException.class, () -> log.read(start - 1, 100, true));
        assertEquals(
                start, TestBatches.batches(log.read(start, 100, true)).get(0).baseOffset());
        assertEquals(0, log.applyRetention(clock.get()), "nothing more to do");
    }

    @Test
    void retentionByTimeRollsAndDeletes() {
        Log log = log(small().withRetentionMs(1000).withSegmentMs(1500).withSegmentBytes(1 << 20));
        for (int i = 0; i < 10; i++) log.append(TestBatches.batch(2, T0, 20));
        clock.set(T0 + 2000);
        long fresh = log.append(TestBatches.batch(2, T0 + 2000, 20)).firstOffset();
        assertEquals(List.of(0L, fresh), log.segmentBaseOffsets(), "segment.ms rolled the segment");
        log.append(TestBatches.batch(1, T0, 20));
        assertEquals(2, log.segmentBaseOffsets().size(), "an old timestamp from a producer does not roll");
        assertEquals(1, log.applyRetention(T0 + 2500));
        assertEquals(fresh + 3, log.logEndOffset());
        assertEquals(fresh, log.logStartOffset());
        assertEquals(List.of(fresh), log.segmentBaseOffsets());
        // everything expired: the active segment is rolled first, then deleted; offsets go on
        long end = log.logEndOffset();
        assertEquals(1, log.applyRetention(T0 + 10_000));
        assertEquals(end, log.logStartOffset());
        assertEquals(end, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(List.of(end), log.segmentBaseOffsets());
        assertEquals(0, log.read(end, 100, true).size());
        assertEquals(0, log.applyRetention(T0 + 20_000), "an empty active segment stays");
        clock.set(T0 + 20_000);
        assertEquals(end, log.append(TestBatches.batch(1, T0 + 20_000, 5)).firstOffset());
    }

    @Test
    void deleteRecordsBefore() {
        Log log = log(small());
        appendMany(log, 100, clock);
        List<Long> segments = log.segmentBaseOffsets();
        long target = segments.get(2) + 1;
        log.deleteRecordsBefore(target);
        assertEquals(target, log.logStartOffset());
        assertEquals(segments.subList(2, segments.size()), log.segmentBaseOffsets());
        assertThrows(Log.OffsetOutOfRangeException.class, () -> log.read(target - 1, 100, true));
        TestBatches.Read first =
                TestBatches.batches(log.read(target, 100, true)).get(0);
        assertTrue(first.baseOffset() <= target && target <= first.lastOffset());
        log.deleteRecordsBefore(target - 1);
        assertEquals(target, log.logStartOffset(), "never moves back");
        assertThrows(Log.OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(log.logEndOffset() + 1));
        log.deleteRecordsBefore(log.logEndOffset());
        assertEquals(log.logEndOffset(), log.logStartOffset());
        assertEquals(0, log.read(log.logEndOffset(), 100, true).size());
    }

    @Test
    void concurrentReadsSeeOnlyWholeBatches() throws Exception {
        Log log = log(small().withSegmentBytes(64 * 1024));
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reader = pool.submit(() -> {
                Random random = new Random(1);
                int reads = 0;
                while (!done.get() || reads < 100) {
                    long end = log.logEndOffset();
                    if (end == 0) continue;
                    long from = random.nextLong(end);
                    LogSlice slice = log.read(from, 1 + random.nextInt(8192), true);
                    List<TestBatches.Read> got = TestBatches.batches(slice); // throws on a partial batch
                    assertFalse(got.isEmpty());
                    assertTrue(got.get(0).baseOffset() <= from
                            && from <= got.get(0).lastOffset());
                    for (int i = 1; i < got.size(); i++)
                        assertEquals(got.get(i - 1).lastOffset() + 1, got.get(i).baseOffset());
                    reads++;
                }
                return reads;
            });
            for (int i = 0; i < 3000; i++) {
                ByteBuffer batches = i % 3 == 0
                        ? TestBatches.concat(TestBatches.batch(2, T0 + i, 40), TestBatches.batch(3, T0 + i, 90))
                        : TestBatches.batch(1 + i % 5, T0 + i, 10 + i % 200);
                log.append(batches);
            }
            done.set(true);
            assertTrue(reader.get(60, TimeUnit.SECONDS) >= 100);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }

    /** Marks every fifth batch as the abort marker of a transaction that began four batches earlier. */
    static List<AbortedTxn> appendWithAborts(Log log, int count, AtomicLong clock) {
        List<AbortedTxn> aborted = new ArrayList<>();
        List<Long> firsts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Log.AppendInfo info = log.append(TestBatches.batch(1 + i % 4, clock.get(), 20 + (i * 7) % 60));
            clock.addAndGet(10);
            firsts.add(info.firstOffset());
            if (i % 5 == 4) {
                AbortedTxn t = new AbortedTxn(i, firsts.get(i - 4), info.lastOffset(), info.lastOffset() + 1);
                log.appendAbortedTransaction(t);
                aborted.add(t);
            }
        }
        return aborted;
    }

    static List<AbortedTxn> overlapping(List<AbortedTxn> all, long from, long to) {
        return all.stream()
                .filter(t -> t.lastOffset() >= from && t.firstOffset() < to)
                .toList();
    }

    @Test
    void abortedTransactionsAreFoundAcrossSegmentRolls() {
        Log log = log(small());
        List<AbortedTxn> aborted = appendWithAborts(log, 200, clock);
        assertTrue(log.segmentBaseOffsets().size() > 5, "rolled: " + log.segmentBaseOffsets());
        long end = log.logEndOffset();
        for (long from = 0; from < end; from += 7) {
            for (long to : new long[] {from + 1, from + 13, from + 150, end}) {
                assertEquals(overlapping(aborted, from, to), log.abortedTransactions(from, to), from + ".." + to);
            }
        }
        assertEquals(aborted, log.abortedTransactions(0, end));
        assertTrue(log.abortedTransactions(end, end + 10).isEmpty());
    }

    @Test
    void abortedTransactionsGoWithTheirSegment() {
        Log log = log(small().withRetentionBytes(5000));
        List<AbortedTxn> aborted = appendWithAborts(log, 300, clock);
        assertTrue(log.applyRetention(clock.get()) > 0);
        long start = log.logStartOffset();
        List<AbortedTxn> kept =
                aborted.stream().filter(t -> t.lastOffset() >= start).toList();
        assertFalse(kept.isEmpty());
        assertTrue(kept.size() < aborted.size());
        assertEquals(kept, log.abortedTransactions(0, log.logEndOffset()));

        long later = log.segmentBaseOffsets().get(2);
        log.deleteRecordsBefore(later);
        assertEquals(overlapping(aborted, later, Long.MAX_VALUE), log.abortedTransactions(later, Long.MAX_VALUE));
        // a marker already below the start has nowhere to go
        log.appendAbortedTransaction(new AbortedTxn(99, 0, later - 1, later));
        assertTrue(log.abortedTransactions(later - 1, later).stream().noneMatch(t -> t.producerId() == 99));
    }

    // ---- replication: epochs, follower appends, truncation --------------------------------------------

    private static int epochOf(ByteBuffer b, int at) {
        return b.getInt(at + BatchHeader.PARTITION_LEADER_EPOCH);
    }

    @Test
    void appendAsLeaderStampsTheEpochAndStartsIt() {
        Log log = log(small());
        log.appendAsLeader(TestBatches.batch(3, T0, 10), 0);
        log.appendAsLeader(TestBatches.batch(2, T0, 10), 0);
        log.appendAsLeader(TestBatches.batch(1, T0, 10), 4);
        assertEquals(
                List.of(new LeaderEpochCache.EpochEntry(0, 0), new LeaderEpochCache.EpochEntry(4, 5)),
                log.leaderEpochCache().entries());
        ByteBuffer read = log.read(5, 1 << 20, true).readFully();
        assertEquals(4, epochOf(read, read.position()));
        assertEquals(1, TestBatches.batches(log.read(5, 1 << 20, true)).size(), "CRC still valid");
        assertEquals(new Log.EpochEndOffset(0, 5), log.endOffsetForEpoch(0));
        assertEquals(new Log.EpochEndOffset(0, 5), log.endOffsetForEpoch(2), "largest epoch at or below");
        assertEquals(new Log.EpochEndOffset(4, 6), log.endOffsetForEpoch(4), "latest: the log end");
        assertEquals(Log.EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(5), "newer than any");
        assertEquals(Log.EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(-1));
    }

    @Test
    void appendAsFollowerKeepsOffsetsAndEpochs() {
        Log leader = log(small());
        leader.appendAsLeader(TestBatches.batch(3, T0, 10), 1);
        leader.appendAsLeader(TestBatches.batch(2, T0, 10), 3);
        Log follower = log(small());
        Log.AppendInfo info =
                follower.appendAsFollower(leader.read(0, 1 << 20, true).readFully());
        assertEquals(0, info.firstOffset());
        assertEquals(4, info.lastOffset());
        assertEquals(5, follower.logEndOffset());
        assertEquals(
                leader.leaderEpochCache().entries(), follower.leaderEpochCache().entries());
        // going backwards is refused and changes nothing
        assertThrows(
                IllegalArgumentException.class,
                () -> follower.appendAsFollower(leader.read(3, 1 << 20, true).readFully()));
        assertEquals(5, follower.logEndOffset());
        // a gap (compaction) is allowed
        ByteBuffer later = TestBatches.batch(1, T0, 10);
        later.putLong(later.position() + BatchHeader.BASE_OFFSET, 9);
        follower.appendAsFollower(later);
        assertEquals(10, follower.logEndOffset());
        assertEquals(
                9, TestBatches.batches(follower.read(9, 1 << 20, true)).get(0).baseOffset());
    }

    @Test
    void truncateToCutsWholeBatchesAcrossSegmentsAndItsEpochs() {
        Log log = log(small());
        for (int i = 0; i < 40; i++) log.appendAsLeader(TestBatches.batch(2, T0, 60), i / 10);
        assertTrue(log.segmentBaseOffsets().size() > 2, "spans several segments");
        log.truncateTo(41); // inside the batch 40..41: the whole batch goes
        assertEquals(40, log.logEndOffset());
        assertEquals(1, log.leaderEpochCache().latestEpoch());
        assertEquals(new Log.EpochEndOffset(1, 40), log.endOffsetForEpoch(1));
        assertEquals(Log.EpochEndOffset.UNDEFINED, log.endOffsetForEpoch(3));
        List<TestBatches.Read> all = TestBatches.batches(log.read(38, 1 << 20, true));
        assertEquals(39, all.get(all.size() - 1).lastOffset());
        assertTrue(log.segmentBaseOffsets().stream().allMatch(b -> b <= 40));
        // appends continue from the new end, under a new epoch
        Log.AppendInfo next = log.appendAsLeader(TestBatches.batch(1, T0, 10), 7);
        assertEquals(40, next.firstOffset());
        assertEquals(new Log.EpochEndOffset(1, 40), log.endOffsetForEpoch(5));
        log.truncateTo(100); // above the end: nothing
        assertEquals(41, log.logEndOffset());
    }

    @Test
    void truncateFullyStartsEmptyAtTheOffset() {
        Log log = log(small());
        for (int i = 0; i < 20; i++) log.appendAsLeader(TestBatches.batch(2, T0, 60), 2);
        log.truncateFullyAndStartAt(100);
        assertEquals(100, log.logStartOffset());
        assertEquals(100, log.logEndOffset());
        assertTrue(log.leaderEpochCache().entries().isEmpty());
        assertEquals(0, log.read(100, 1000, true).size());
        ByteBuffer b = TestBatches.batch(1, T0, 10);
        b.putLong(b.position() + BatchHeader.BASE_OFFSET, 100);
        b.putInt(b.position() + BatchHeader.PARTITION_LEADER_EPOCH, 3);
        assertEquals(100, log.appendAsFollower(b).firstOffset());
        assertEquals(new Log.EpochEndOffset(3, 101), log.endOffsetForEpoch(3));
        log.truncateTo(0); // to or below the start: emptied again
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.logStartOffset());
    }
}
