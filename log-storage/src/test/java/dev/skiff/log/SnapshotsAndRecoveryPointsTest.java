package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer-state snapshot files kept with a log, and the data dir's recovery-point checkpoint. */
class SnapshotsAndRecoveryPointsTest {
    @TempDir
    Path tmp;

    final AtomicLong clock = new AtomicLong(LogContractTest.T0);
    final List<Log> opened = new ArrayList<>();
    final OpenFiles files = new OpenFiles(FileChannelFactory.DEFAULT, 64);

    Path dir() {
        return tmp.resolve("orders-0");
    }

    SegmentedLog open(RecoveryPoints points) {
        SegmentedLog log = SegmentedLog.open(dir(), LogContractTest.small(), files, clock::get, points);
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

    static ByteBuffer state(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    static String text(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b).toString();
    }

    void appendUntilSegments(SegmentedLog log, int segments) {
        while (log.segmentBaseOffsets().size() < segments) log.append(TestBatches.batch(3, clock.get(), 100));
    }

    @Test
    void theRollListenerSeesEachNewSegmentAndSnapshotsAreKeptPrunedAndRead() {
        SegmentedLog log = open(null);
        List<Long> rolls = new ArrayList<>();
        log.onRoll(base -> {
            rolls.add(base);
            log.writeProducerSnapshot(base, state("at " + base));
        });
        appendUntilSegments(log, 5);
        assertEquals(log.segmentBaseOffsets().subList(1, 5), rolls);
        // only the last two are kept, each readable by its offset
        assertEquals(rolls.subList(2, 4), log.producerSnapshotOffsets());
        assertEquals("at " + rolls.get(3), text(log.readProducerSnapshot(rolls.get(3))));
        assertTrue(Files.exists(dir().resolve(String.format("%020d.snapshot", rolls.get(3)))));
        // outside the log: ignored
        log.writeProducerSnapshot(log.logEndOffset() + 1, state("beyond"));
        assertEquals(rolls.subList(2, 4), log.producerSnapshotOffsets());
    }

    @Test
    void truncationDropsSnapshotsBeyondItAndDeletionThoseBelowTheStart() throws Exception {
        SegmentedLog log = open(null);
        appendUntilSegments(log, 4);
        List<Long> bases = log.segmentBaseOffsets();
        log.writeProducerSnapshot(bases.get(2), state("a"));
        log.writeProducerSnapshot(bases.get(3), state("b"));
        log.truncateTo(bases.get(3) - 1);
        assertEquals(List.of(bases.get(2)), log.producerSnapshotOffsets());
        log.deleteRecordsBefore(bases.get(2) + 1);
        assertEquals(List.of(), log.producerSnapshotOffsets());
        log.writeProducerSnapshot(log.logEndOffset(), state("c"));
        log.truncateFullyAndStartAt(1000);
        assertEquals(List.of(), log.producerSnapshotOffsets());
        try (var list = Files.list(dir())) {
            assertTrue(list.noneMatch(p -> p.toString().endsWith(".snapshot")));
        }
    }

    @Test
    void snapshotsAboveTheLogEndAfterRecoveryAreDropped() throws Exception {
        SegmentedLog log = open(null);
        appendUntilSegments(log, 2);
        log.close();
        // a snapshot that claims batches the log does not have (recovery cut them), and a stray temp file
        Files.write(dir().resolve(ProducerSnapshotFiles.fileName(log.logEndOffset() + 50)), new byte[] {1});
        Files.write(dir().resolve(ProducerSnapshotFiles.fileName(7) + ".tmp"), new byte[] {1});
        SegmentedLog again = open(null);
        assertEquals(List.of(), again.producerSnapshotOffsets());
        try (var list = Files.list(dir())) {
            assertTrue(list.noneMatch(
                    p -> p.toString().endsWith(".snapshot") || p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void anOversizedSnapshotIsNotRead() throws Exception {
        SegmentedLog log = open(null);
        appendUntilSegments(log, 2);
        long at = log.segmentBaseOffsets().get(1);
        Path file = dir().resolve(ProducerSnapshotFiles.fileName(at));
        try (var ch = java.nio.channels.FileChannel.open(
                file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), ProducerSnapshotFiles.MAX_BYTES + 10L); // sparse
        }
        assertEquals(List.of(at), log.producerSnapshotOffsets());
        assertNull(log.readProducerSnapshot(at));
    }

    @Test
    void aCrashRecoversFromTheSegmentHoldingTheRecoveryPointNotTheLastTwo() throws Exception {
        RecoveryPoints points = new RecoveryPoints(tmp);
        SegmentedLog log = open(points);
        appendUntilSegments(log, 4);
        log.flush();
        long flushedTo = log.logEndOffset();
        assertEquals(flushedTo, log.recoveryPoint());
        // more without a flush, within the active segment
        long activeBase = log.segmentBaseOffsets().get(3);
        log.append(TestBatches.batch(1, clock.get(), 10));
        assertEquals(activeBase, (long) log.segmentBaseOffsets().get(3));
        assertEquals(4, log.segmentBaseOffsets().size());
        long end = log.logEndOffset();
        points.writeNow();
        assertEquals("0\n1\norders 0 " + flushedTo + "\n", Files.readString(tmp.resolve(RecoveryPoints.FILE)));

        // the process dies: the log is never closed, a new one opens the same directory
        SegmentedLog after = open(new RecoveryPoints(tmp));
        assertEquals(activeBase, after.recoveredFrom(), "only the segment holding the recovery point");
        assertEquals(end, after.logEndOffset(), "nothing lost");
        assertEquals(end, after.recoveryPoint());
    }

    @Test
    void withoutACheckpointACrashRecoversTheLastTwoSegments() {
        SegmentedLog log = open(null);
        appendUntilSegments(log, 4);
        long end = log.logEndOffset();
        SegmentedLog after = open(new RecoveryPoints(tmp)); // no file: no point
        assertEquals(log.segmentBaseOffsets().get(2), after.recoveredFrom());
        assertEquals(end, after.logEndOffset());
    }

    @Test
    void aRolledSegmentsFsyncMovesTheRecoveryPointAndACleanCloseSkipsRecovery() throws Exception {
        RecoveryPoints points = new RecoveryPoints(tmp);
        SegmentedLog log = open(points);
        appendUntilSegments(log, 3);
        long secondBase = log.segmentBaseOffsets().get(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.recoveryPoint() < secondBase && System.nanoTime() < deadline) Thread.onSpinWait();
        assertTrue(log.recoveryPoint() >= secondBase, "the first rolled segment's fsync moved the point");
        long end = log.logEndOffset();
        log.close();
        points.writeNow();
        assertEquals(Map.of("orders-0", end), RecoveryPoints.read(tmp.resolve(RecoveryPoints.FILE)));
        SegmentedLog again = open(new RecoveryPoints(tmp));
        assertEquals(-1, again.recoveredFrom(), "a clean close needs no recovery");
    }

    @Test
    void aGarbledCheckpointIsIgnoredAndTheLastTwoSegmentsAreRecovered() throws Exception {
        SegmentedLog log = open(null);
        appendUntilSegments(log, 4);
        long end = log.logEndOffset();
        for (String garbage : List.of(
                "0\n1\norders 0\n",
                "1\n1\norders 0 5\n",
                "0\n2\norders 0 5\n",
                "0\nx\n",
                "0\n1\norders -1 5\n",
                "\u0000\u0001\u0002")) {
            Files.writeString(tmp.resolve(RecoveryPoints.FILE), garbage);
            assertEquals(Map.of(), RecoveryPoints.read(tmp.resolve(RecoveryPoints.FILE)), garbage);
        }
        SegmentedLog after = open(new RecoveryPoints(tmp));
        assertEquals(log.segmentBaseOffsets().get(2), after.recoveredFrom());
        assertEquals(end, after.logEndOffset());
    }
}
