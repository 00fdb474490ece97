package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files damaged in ways that pass the cheap checks: reads must not spin, recovery must not trust lengths. */
class DamagedFilesTest {
    @TempDir
    Path tmp;

    private static final LogConfig CONFIG = LogConfig.defaults().withIndexIntervalBytes(200);

    /** Ten batches of 300 bytes of values each: an offset index entry before nearly every batch. */
    private static void fill(Path dir) {
        try (SegmentedLog log = SegmentedLog.open(dir, CONFIG)) {
            for (int i = 0; i < 10; i++) log.append(TestBatches.batch(3, 1_000L + i, 100));
        }
    }

    private static int[] positions(Path index) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(index));
        int[] out = new int[b.remaining() / 8];
        for (int i = 0; i < out.length; i++) {
            b.getInt();
            out[i] = b.getInt();
        }
        return out;
    }

    private static void setPosition(Path index, int entry, int position) throws Exception {
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, position), entry * 8L + 4);
        }
    }

    /** Reads every offset one by one; each read must return the batch holding it. */
    private static void readEachOffset(SegmentedLog log, List<TestBatches.Read> expected) {
        for (long offset = 0; offset < log.logEndOffset(); offset++) {
            List<TestBatches.Read> got = TestBatches.batches(log.read(offset, 1 << 20, true));
            long o = offset;
            TestBatches.Read holding = expected.stream()
                    .filter(r -> r.baseOffset() <= o && o <= r.lastOffset())
                    .findFirst()
                    .orElseThrow();
            assertEquals(holding, got.get(0), "first batch read at offset " + offset);
            assertEquals(
                    expected.subList(expected.indexOf(holding), expected.size()),
                    got,
                    "everything from offset " + offset);
        }
    }

    @Test
    void aDamagedButPlausibleIndexEntryNeverMakesAReadSpin() throws Exception {
        Path dir = tmp.resolve("t-0");
        fill(dir);
        List<TestBatches.Read> expected;
        try (SegmentedLog log = SegmentedLog.open(dir, CONFIG)) {
            expected = SegmentedLogTest.everything(log);
        }
        Path index = dir.resolve(Segment.fileName(0, Segment.INDEX));
        int[] pos = positions(index);
        assertTrue(pos.length >= 4, "entries to damage: " + pos.length);
        int entry = pos.length / 2;
        // positions inside the batch before the entry's: still sorted and inside the file, so the index loads,
        // but a header read there finds a length of zero (value bytes) or anything else
        Path log0 = dir.resolve(Segment.fileName(0, Segment.LOG));
        byte[] file = Files.readAllBytes(log0);
        int zeroLength = -1;
        for (int p = pos[entry - 1] + 1; p < pos[entry] && zeroLength < 0; p++) {
            if (ByteBuffer.wrap(file).getInt(p + BatchHeader.BATCH_LENGTH) == 0) zeroLength = p;
        }
        int[] damages = zeroLength > 0
                ? new int[] {zeroLength, pos[entry - 1] + 1, pos[entry] - 1}
                : new int[] {pos[entry - 1] + 1, pos[entry] - 1};
        for (int damaged : damages) {
            setPosition(index, entry, damaged);
            assertTimeoutPreemptively(
                    Duration.ofSeconds(20),
                    () -> {
                        try (SegmentedLog log = SegmentedLog.open(dir, CONFIG)) {
                            readEachOffset(log, expected);
                            assertEquals(expected, SegmentedLogTest.everything(log));
                            assertTrue(log.offsetForTimestamp(1_005L) != null);
                        }
                    },
                    "reads with the entry pointing at " + damaged);
        }
    }

    @Test
    void aLengthOnDiskDoesNotDecideWhatRecoveryAllocates() throws Exception {
        Path dir = tmp.resolve("t-0");
        fill(dir);
        Files.delete(dir.resolve(SegmentedLog.CLEAN_SHUTDOWN)); // unclean: the segment is recovered
        Path log0 = dir.resolve(Segment.fileName(0, Segment.LOG));
        long goodSize = Files.size(log0);
        // a plausible header claiming a 200 MB batch, in a sparse file that really is that long
        ByteBuffer header = TestBatches.batch(1, 2_000L, 10);
        int claimed = 200 << 20;
        header.putLong(BatchHeader.BASE_OFFSET, 30)
                .putInt(BatchHeader.BATCH_LENGTH, claimed - BatchHeader.LOG_OVERHEAD);
        try (RandomAccessFile raf = new RandomAccessFile(log0.toFile(), "rw")) {
            raf.seek(goodSize);
            raf.write(header.array(), header.arrayOffset(), BatchHeader.SIZE);
            raf.setLength(goodSize + claimed);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try (SegmentedLog log = SegmentedLog.open(dir, CONFIG)) {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 16 << 20, "recovery allocated " + allocated + " bytes for a claimed " + claimed);
            assertEquals(30, log.logEndOffset(), "the bad batch (CRC mismatch) is cut, the ten before it stay");
        }
        assertEquals(goodSize, Files.size(log0));
    }
}
