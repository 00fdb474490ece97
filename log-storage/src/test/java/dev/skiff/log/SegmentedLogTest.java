package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a log on disk has: files, reopening, recovery, I/O failures. */
class SegmentedLogTest {
    @TempDir
    Path tmp;

    final AtomicLong clock = new AtomicLong(LogContractTest.T0);
    final List<Log> opened = new ArrayList<>();
    final FaultyFiles files = new FaultyFiles();

    Path dir() {
        return tmp.resolve("orders-0");
    }

    SegmentedLog open(LogConfig config) {
        SegmentedLog log = SegmentedLog.open(dir(), config, files, clock::get);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeAll() {
        for (Log log : opened) {
            try {
                log.close();
            } catch (RuntimeException ignored) {
            }
        }
    }

    static LogConfig config() {
        return LogContractTest.small();
    }

    Path file(long base, String suffix) {
        return dir().resolve(Segment.fileName(base, suffix));
    }

    /** Everything a reader can see of the log, batch by batch. */
    static List<TestBatches.Read> everything(Log log) {
        List<TestBatches.Read> all = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            List<TestBatches.Read> got = TestBatches.batches(log.read(next, 1 << 20, true));
            all.addAll(got);
            next = got.get(got.size() - 1).lastOffset() + 1;
        }
        return all;
    }

    /** Simulates a crash after a clean close: the marker goes, so the next open must recover. */
    void forgetCleanShutdown() throws IOException {
        Files.delete(dir().resolve(SegmentedLog.CLEAN_SHUTDOWN));
    }

    @Test
    void segmentFilesUseKafkaNames() {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 50, clock);
        for (long base : log.segmentBaseOffsets()) {
            assertTrue(Files.exists(file(base, ".log")));
            assertTrue(Files.exists(file(base, ".index")));
            assertTrue(Files.exists(file(base, ".timeindex")));
        }
        assertTrue(Files.exists(dir().resolve("00000000000000000000.log")));
    }

    @Test
    void reopenAfterCleanClose() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 120, clock);
        List<TestBatches.Read> before = everything(log);
        List<Long> segments = log.segmentBaseOffsets();
        Log.TimestampOffset max = log.maxTimestamp();
        log.close();
        assertTrue(Files.exists(dir().resolve(SegmentedLog.CLEAN_SHUTDOWN)));
        for (long base : segments) assertEquals(0, Files.size(file(base, ".index")) % 8);

        SegmentedLog again = open(config());
        assertFalse(Files.exists(dir().resolve(SegmentedLog.CLEAN_SHUTDOWN)), "marker consumed on open");
        assertEquals(before, everything(again));
        assertEquals(segments, again.segmentBaseOffsets());
        assertEquals(max, again.maxTimestamp());
        assertEquals(
                before.get(before.size() - 1).lastOffset() + 1,
                again.append(TestBatches.batch(1, clock.get(), 5)).firstOffset());
    }

    @Test
    void deleteRecordsBeforeSurvivesReopen() {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 80, clock);
        log.deleteRecordsBefore(37);
        log.close();
        SegmentedLog again = open(config());
        assertEquals(37, again.logStartOffset());
        assertThrows(Log.OffsetOutOfRangeException.class, () -> again.read(36, 100, true));
    }

    @Test
    void garbageAtTheTailIsCut() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 60, clock);
        List<TestBatches.Read> before = everything(log);
        long active = last(log.segmentBaseOffsets());
        log.close();
        long cleanSize = Files.size(file(active, ".log"));
        byte[] garbage = new byte[333];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(file(active, ".log"), garbage, StandardOpenOption.APPEND);
        forgetCleanShutdown();

        SegmentedLog again = open(config());
        assertEquals(before, everything(again));
        assertEquals(cleanSize, Files.size(file(active, ".log")));
        assertEquals(before.get(before.size() - 1).lastOffset() + 1, again.logEndOffset());
    }

    @Test
    void aRollLeavesTheRolledSegmentsFsyncToTheFlusherThread() throws Exception {
        SegmentedLog log = open(config());
        files.holdForces();
        long rolled;
        CompletableFuture<Void> flush;
        try {
            // appends go on while the rolled segment's fsync is held (up to one roll: the next would wait for it)
            while (log.segmentBaseOffsets().size() < 2) {
                log.append(TestBatches.batch(1, clock.get(), 100));
                clock.addAndGet(10);
            }
            rolled = log.segmentBaseOffsets().get(0);
            flush = CompletableFuture.runAsync(log::flush);
            Thread.sleep(100);
            assertFalse(flush.isDone(), "a flush covers the rolled segment, so it waits for that fsync");
        } finally {
            // the flusher thread serves every log of this JVM: left held, it would hang the tests after this one
            files.openForces();
        }
        flush.get(30, TimeUnit.SECONDS);
        assertTrue(
                files.logForces.contains(Segment.fileName(rolled, Segment.LOG) + "@skiff-segment-flush"),
                files.logForces.toString());
    }

    @Test
    void afterACrashTheSegmentRolledLastIsRecoveredToo() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 60, clock);
        List<Long> bases = log.segmentBaseOffsets();
        assertTrue(bases.size() > 2, bases.toString());
        long rolledLast = bases.get(bases.size() - 2);
        List<TestBatches.Read> before = everything(log);
        log.close();
        // its fsync may not have finished when the machine stopped: the last page of its last batch never reached
        // the disk. Headers and indexes still look right; only the batch's CRC tells.
        Path rolledFile = file(rolledLast, ".log");
        byte[] bytes = Files.readAllBytes(rolledFile);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(rolledFile, bytes);
        forgetCleanShutdown();

        SegmentedLog again = open(config());
        assertTrue(Files.size(rolledFile) < bytes.length, "its last batch is cut");
        List<TestBatches.Read> after = everything(again);
        assertTrue(after.size() < before.size());
        // what follows a cut would leave a hole in the offsets, so the active segment goes with it
        assertEquals(before.subList(0, after.size()), after);
        assertEquals(after.get(after.size() - 1).lastOffset() + 1, again.logEndOffset());
        assertEquals(rolledLast, last(again.segmentBaseOffsets()));
    }

    @Test
    void garbageIsCutEvenWithACleanMarker() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 30, clock);
        List<TestBatches.Read> before = everything(log);
        long active = last(log.segmentBaseOffsets());
        log.close();
        Files.write(file(active, ".log"), new byte[100], StandardOpenOption.APPEND);
        assertEquals(before, everything(open(config())));
    }

    @Test
    void flippedByteInTheLastBatchTruncatesThere() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 40, clock);
        List<TestBatches.Read> before = everything(log);
        long active = last(log.segmentBaseOffsets());
        log.close();
        Path activeFile = file(active, ".log");
        long size = Files.size(activeFile);
        TestBatches.Read lastBatch = before.get(before.size() - 1);
        long lastStart = size - lastBatch.size();
        try (FileChannel ch = FileChannel.open(activeFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            long at = lastStart + lastBatch.size() - 3; // inside the last record's value
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, at);
        }
        forgetCleanShutdown();

        SegmentedLog again = open(config());
        assertEquals(before.subList(0, before.size() - 1), everything(again));
        assertEquals(lastBatch.baseOffset(), again.logEndOffset());
        assertEquals(lastStart, Files.size(activeFile));
        assertEquals(
                lastBatch.baseOffset(),
                again.append(TestBatches.batch(1, clock.get(), 5)).firstOffset());
    }

    @Test
    void tornLastBatchIsCut() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 40, clock);
        List<TestBatches.Read> before = everything(log);
        long active = last(log.segmentBaseOffsets());
        log.close();
        Path activeFile = file(active, ".log");
        long size = Files.size(activeFile);
        try (FileChannel ch = FileChannel.open(activeFile, StandardOpenOption.WRITE)) {
            ch.truncate(size - 10);
        }
        forgetCleanShutdown();
        SegmentedLog again = open(config());
        assertEquals(before.subList(0, before.size() - 1), everything(again));
        assertEquals(size - before.get(before.size() - 1).size(), Files.size(activeFile));
    }

    @Test
    void deletedIndexFilesAreRebuiltIdentically() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 150, clock);
        List<TestBatches.Read> before = everything(log);
        List<Long> segments = log.segmentBaseOffsets();
        log.close();
        List<byte[]> indexes = new ArrayList<>();
        for (long base : segments) {
            indexes.add(Files.readAllBytes(file(base, ".index")));
            indexes.add(Files.readAllBytes(file(base, ".timeindex")));
            Files.delete(file(base, ".index"));
            Files.delete(file(base, ".timeindex"));
        }
        assertTrue(indexes.stream().anyMatch(b -> b.length > 0), "the test must index something");
        SegmentedLog again = open(config());
        assertEquals(before, everything(again));
        for (long o = 0; o < again.logEndOffset(); o++) {
            TestBatches.Read r = TestBatches.batches(again.read(o, 1, true)).get(0);
            assertTrue(r.baseOffset() <= o && o <= r.lastOffset());
        }
        again.close();
        for (int i = 0; i < segments.size(); i++) {
            assertArrayEquals(indexes.get(2 * i), Files.readAllBytes(file(segments.get(i), ".index")));
            assertArrayEquals(indexes.get(2 * i + 1), Files.readAllBytes(file(segments.get(i), ".timeindex")));
        }
    }

    @Test
    void corruptIndexIsRebuilt() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 100, clock);
        List<TestBatches.Read> before = everything(log);
        log.close();
        Files.write(file(0, ".index"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        Files.write(file(0, ".timeindex"), new byte[24]);
        SegmentedLog again = open(config());
        assertEquals(before, everything(again));
        assertEquals(new Log.TimestampOffset(LogContractTest.T0, 0), again.offsetForTimestamp(0));
        assertEquals(log.maxTimestamp(), again.maxTimestamp());
    }

    @Test
    void emptySegmentsOpen() throws IOException {
        Files.createDirectories(dir());
        Files.createFile(file(0, ".log"));
        SegmentedLog log = open(config());
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.read(0, 100, true).size());
        log.append(TestBatches.batch(2, clock.get(), 10));
        log.close();
        forgetCleanShutdown();
        assertEquals(2, open(config()).logEndOffset());
    }

    @Test
    void emptyActiveSegmentAfterRetentionSurvivesReopen() {
        SegmentedLog log = open(config().withRetentionMs(10));
        LogContractTest.appendMany(log, 30, clock);
        long end = log.logEndOffset();
        log.applyRetention(clock.get() + 1000);
        log.close();
        SegmentedLog again = open(config());
        assertEquals(end, again.logStartOffset());
        assertEquals(end, again.logEndOffset());
        assertEquals(List.of(end), again.segmentBaseOffsets());
    }

    @Test
    void leftoverFilesAreRemoved() throws IOException {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 20, clock);
        List<TestBatches.Read> before = everything(log);
        log.close();
        Files.write(dir().resolve("00000000000000000000.log.cleaned"), new byte[10]);
        Files.write(dir().resolve("00000000000000000000.log.deleted"), new byte[10]);
        Files.write(dir().resolve("log-start-offset.checkpoint.tmp"), new byte[10]);
        Files.write(file(999, ".index"), new byte[8]);
        SegmentedLog again = open(config());
        assertEquals(before, everything(again));
        try (Stream<Path> left = Files.list(dir())) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertTrue(
                    names.stream()
                            .noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".deleted") || n.endsWith(".tmp")),
                    names.toString());
            assertFalse(names.contains(Segment.fileName(999, ".index")));
        }
    }

    @Test
    void failedWriteLeavesTheLogAsItWasAndLaterAppendsWork() throws IOException {
        SegmentedLog log = open(config().withIndexIntervalBytes(1).withSegmentBytes(1 << 20));
        LogContractTest.appendMany(log, 10, clock);
        List<TestBatches.Read> before = everything(log);
        long end = log.logEndOffset();
        long active = last(log.segmentBaseOffsets());
        long fileSize = Files.size(file(active, ".log"));

        files.failWrites(p -> p.toString().endsWith(".log"));
        ByteBuffer batch =
                TestBatches.concat(TestBatches.batch(3, clock.get(), 50), TestBatches.batch(2, clock.get(), 50));
        assertThrows(LogStorageException.class, () -> log.append(batch));
        assertEquals(end, log.logEndOffset());
        assertEquals(fileSize, Files.size(file(active, ".log")));
        assertEquals(before, everything(log));

        files.heal();
        assertEquals(end, log.append(TestBatches.batch(3, clock.get(), 50)).firstOffset());
        assertEquals(end + 3, log.logEndOffset());
        List<TestBatches.Read> after = everything(log);
        log.close();
        assertEquals(after, everything(open(config())));
    }

    @Test
    void aProcessCrashWithIndexEntriesNotYetWrittenLosesNothing() throws IOException {
        for (LogConfig config : List.of(
                config().withIndexIntervalBytes(1),
                config().withIndexIntervalBytes(1).withSegmentBytes(1 << 20))) {
            SegmentedLog log = open(config);
            LogContractTest.appendMany(log, 150, clock);
            long active = last(log.segmentBaseOffsets());
            assertEquals(0, Files.size(file(active, ".index")), "the active segment's entries are still waiting");
            // the process stops here: the files are what the kernel has, without the waiting entries
            Path copy = tmp.resolve("crashed-" + config.segmentBytes());
            try (Stream<Path> names = Files.list(dir())) {
                Files.createDirectories(copy);
                for (Path f : names.toList()) Files.copy(f, copy.resolve(f.getFileName()));
            }
            assertFalse(Files.exists(copy.resolve(SegmentedLog.CLEAN_SHUTDOWN)));
            SegmentedLog again = SegmentedLog.open(copy, config, files, clock::get);
            opened.add(again);
            assertEquals(everything(log), everything(again));
            assertEquals(log.logEndOffset(), again.logEndOffset());
            assertEquals(log.maxTimestamp(), again.maxTimestamp());
            for (long t = LogContractTest.T0 - 5; t < clock.get() + 10; t += 7)
                assertEquals(log.offsetForTimestamp(t), again.offsetForTimestamp(t), "timestamp " + t);
            log.close();
            Files.walk(dir())
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void indexEntriesAreWrittenAPageAtATimeAndAtFlush() throws IOException {
        SegmentedLog log = open(config().withIndexIntervalBytes(1).withSegmentBytes(1 << 20));
        LogContractTest.appendMany(log, 10, clock);
        log.flush();
        long active = last(log.segmentBaseOffsets());
        long indexSize = Files.size(file(active, ".index"));
        assertEquals(9 * OffsetIndex.ENTRY, indexSize, "a flush writes every entry (the first batch has none)");

        files.failWrites(p -> p.toString().endsWith(".index"));
        LogContractTest.appendMany(log, 10, clock); // a page is not full: nothing is written yet
        assertEquals(indexSize, Files.size(file(active, ".index")));
        assertThrows(LogStorageException.class, log::flush);
        assertEquals(indexSize, Files.size(file(active, ".index")), "a failed write leaves the file as it was");
        int perPage = IndexFile.WRITE_BYTES / OffsetIndex.ENTRY;
        assertThrows(LogStorageException.class, () -> LogContractTest.appendMany(log, perPage, clock));
        assertEquals(indexSize, Files.size(file(active, ".index")));
        List<TestBatches.Read> before = everything(log);

        files.heal();
        LogContractTest.appendMany(log, perPage, clock); // the page is full: written without a flush
        long entries = Files.size(file(active, ".index")) / OffsetIndex.ENTRY;
        assertTrue(entries >= perPage, "a page of entries was written: " + entries);
        List<TestBatches.Read> after = everything(log);
        assertTrue(after.containsAll(before));
        log.close();
        assertEquals(after, everything(open(config())));
    }

    @Test
    void flushIntervalMessagesAndFlush() {
        SegmentedLog log = open(config().withFlushIntervalMessages(3));
        LogContractTest.appendMany(log, 10, clock);
        log.flush();
        assertEquals(10, everything(log).size());
    }

    @Test
    void deleteRemovesTheDirectory() {
        SegmentedLog log = open(config());
        LogContractTest.appendMany(log, 50, clock);
        log.delete();
        assertFalse(Files.exists(dir()));
        assertThrows(LogStorageException.class, () -> log.append(TestBatches.batch(1, clock.get(), 1)));
    }

    @Test
    void fullIndexRollsTheSegment() {
        SegmentedLog log = open(
                config().withSegmentBytes(1 << 20).withIndexIntervalBytes(1).withMaxIndexBytes(8 * 4));
        LogContractTest.appendMany(log, 20, clock);
        assertTrue(
                log.segmentBaseOffsets().size() >= 4, log.segmentBaseOffsets().toString());
        assertEquals(20, everything(log).size());
    }

    @Test
    void abortedTransactionsAreKeptInKafkasTxnIndexFormatAndSurviveReopen() throws IOException {
        SegmentedLog log = open(config());
        List<AbortedTxn> aborted = LogContractTest.appendWithAborts(log, 120, clock);
        long end = log.logEndOffset();
        long total = 0;
        for (long base : log.segmentBaseOffsets()) {
            Path index = file(base, ".txnindex");
            long here = aborted.stream()
                    .filter(t -> t.lastOffset() >= base
                            && log.segmentBaseOffsets().stream()
                                            .filter(b -> b <= t.lastOffset())
                                            .max(Long::compare)
                                            .get()
                                    == base)
                    .count();
            assertEquals(here * 34, Files.exists(index) ? Files.size(index) : 0, index.toString());
            total += here;
        }
        assertEquals(aborted.size(), total);
        AbortedTxn first = aborted.get(0);
        ByteBuffer entry = ByteBuffer.wrap(Files.readAllBytes(file(0, ".txnindex")), 0, 34);
        assertEquals(0, entry.getShort());
        assertEquals(first, new AbortedTxn(entry.getLong(), entry.getLong(), entry.getLong(), entry.getLong()));
        log.close();

        assertEquals(aborted, open(config()).abortedTransactions(0, end));
        opened.get(opened.size() - 1).close();
        forgetCleanShutdown();
        assertEquals(aborted, open(config()).abortedTransactions(0, end), "after recovery of the active segment");
    }

    @Test
    void recoveryDropsAbortedTransactionsWhoseMarkerWasCut() throws IOException {
        SegmentedLog log = open(config().withSegmentBytes(1 << 20));
        List<AbortedTxn> aborted = LogContractTest.appendWithAborts(log, 20, clock);
        AbortedTxn lastOne = aborted.get(aborted.size() - 1);
        assertEquals(log.logEndOffset() - 1, lastOne.lastOffset(), "the last batch is a marker");
        log.close();
        Path activeFile = file(0, ".log");
        try (FileChannel ch = FileChannel.open(activeFile, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(activeFile) - 10);
        }
        forgetCleanShutdown();
        SegmentedLog again = open(config());
        assertEquals(aborted.subList(0, aborted.size() - 1), again.abortedTransactions(0, Long.MAX_VALUE));
        assertEquals((aborted.size() - 1) * 34L, Files.size(file(0, ".txnindex")));
    }

    @Test
    void aMissingOrTornTxnIndexIsReadAsFarAsItGoes() throws IOException {
        SegmentedLog log = open(config());
        List<AbortedTxn> aborted = LogContractTest.appendWithAborts(log, 120, clock);
        List<Long> bases = log.segmentBaseOffsets();
        log.close();
        Files.delete(file(0, ".txnindex"));
        long second = bases.stream()
                .filter(b -> Files.exists(file(b, ".txnindex")))
                .findFirst()
                .get();
        Path torn = file(second, ".txnindex");
        long entries = Files.size(torn) / 34;
        try (FileChannel ch = FileChannel.open(torn, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(torn) - 5);
        }
        SegmentedLog again = open(config());
        List<AbortedTxn> got = again.abortedTransactions(0, Long.MAX_VALUE);
        List<Long> after = bases.subList(bases.indexOf(second) + 1, bases.size());
        long firstLater = after.isEmpty() ? Long.MAX_VALUE : after.get(0);
        List<AbortedTxn> inSecond = aborted.stream()
                .filter(t -> t.lastOffset() >= second && t.lastOffset() < firstLater)
                .toList();
        assertEquals(entries, inSecond.size());
        List<AbortedTxn> expected = new ArrayList<>(inSecond.subList(0, inSecond.size() - 1));
        expected.addAll(
                aborted.stream().filter(t -> t.lastOffset() >= firstLater).toList());
        assertEquals(expected, got);
        assertEquals((entries - 1) * 34, Files.size(torn), "the torn entry is cut");
        // a lost index is simply empty and is written again from the next entry on
        again.appendAbortedTransaction(aborted.get(0));
        assertEquals(34, Files.size(file(0, ".txnindex")));
    }

    @Test
    void retentionAndDeleteRemoveTxnIndexFiles() {
        SegmentedLog log = open(config().withRetentionBytes(5000));
        LogContractTest.appendWithAborts(log, 300, clock);
        assertTrue(Files.exists(file(0, ".txnindex")));
        log.applyRetention(clock.get());
        assertFalse(Files.exists(file(0, ".txnindex")));
        try (Stream<Path> files = Files.list(dir())) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".txnindex"))
                    .forEach(n -> assertTrue(Files.exists(dir().resolve(n.replace(".txnindex", ".log"))), n));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        log.delete();
        assertFalse(Files.exists(dir()));
    }

    private static long last(List<Long> list) {
        return list.get(list.size() - 1);
    }
}
