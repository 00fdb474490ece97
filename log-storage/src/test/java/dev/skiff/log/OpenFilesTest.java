package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many logs sharing a small cap of open descriptors: reads and writes stay correct, the cap holds. */
class OpenFilesTest {
    @TempDir
    Path tmp;

    private static final int CAP = 8;
    /** A file busy in an operation closes when it ends: the rolled segment's background fsync may be one. */
    private static final int CAP_WHILE_BUSY = CAP + 1;
    /** Descriptors of retired segments kept open for responses in flight (closed after the delete delay). */
    private int retired;

    private final OpenFiles files = new OpenFiles(FileChannelFactory.DEFAULT, CAP);
    private final List<SegmentedLog> logs = new ArrayList<>();

    private static final LogConfig CONFIG =
            LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(128);

    private SegmentedLog open(int i) {
        SegmentedLog log = SegmentedLog.open(tmp.resolve("t-" + i), CONFIG, files, System::currentTimeMillis);
        logs.add(log);
        return log;
    }

    @AfterEach
    void closeAll() {
        for (SegmentedLog log : logs) log.close();
        assertEquals(retired, files.openCount(), "every descriptor is closed with its log");
    }

    private static long descriptorsUnder(Path dir) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).startsWith(dir);
                        } catch (IOException e) {
                            return false; // closed meanwhile, or not a link
                        }
                    })
                    .count();
        }
    }

    @Test
    void theDescriptorLimitReadFromProcIsTheOneTheJvmReports() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/limits"))
                && os instanceof com.sun.management.UnixOperatingSystemMXBean);
        long jvm = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        assertEquals(jvm, OpenFiles.descriptorLimit());
        assertEquals(Math.max(64, Math.min(4096, jvm / 4)), OpenFiles.defaultMaxOpen());
    }

    @Test
    void fiftyLogsWithSeveralSegmentsEachKeepWithinTheCapAndReadBackEverything() throws IOException {
        int n = 50;
        for (int i = 0; i < n; i++) open(i);
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < n; i++) logs.get(i).append(TestBatches.batch(2, 1_000L + round, 150 + i));
            assertTrue(files.openCount() <= CAP_WHILE_BUSY, "open: " + files.openCount());
        }
        assertTrue(logs.get(0).segmentBaseOffsets().size() > 1, "several segments per log");
        for (int i = 0; i < n; i++) {
            List<TestBatches.Read> all = SegmentedLogTest.everything(logs.get(i));
            assertEquals(6, all.size(), "log " + i);
            assertEquals(11, all.get(5).lastOffset());
            assertTrue(files.openCount() <= CAP_WHILE_BUSY, "open: " + files.openCount());
        }
        if (Files.isDirectory(Path.of("/proc/self/fd"))) {
            assertTrue(
                    descriptorsUnder(tmp) <= CAP_WHILE_BUSY,
                    "descriptors the process holds under the data dir: " + descriptorsUnder(tmp));
        }
        // a reopen sees every log as written
        for (SegmentedLog log : logs) log.close();
        logs.clear();
        for (int i = 0; i < n; i++) assertEquals(12, open(i).logEndOffset());
        assertTrue(files.openCount() <= CAP_WHILE_BUSY);
    }

    @Test
    void aSliceStaysReadableAndSendableAfterItsDescriptorWasClosedToMakeRoom() throws IOException {
        SegmentedLog first = open(0);
        first.append(TestBatches.batch(3, 1_000L, 100));
        LogSlice slice = first.read(0, 1 << 20, true);
        ByteBuffer expected = slice.readFully();
        CachedFileChannel channel = (CachedFileChannel) slice.channel();
        for (int i = 1; i <= 3 * CAP; i++) open(i).append(TestBatches.batch(1, 1_000L, 10));
        assertFalse(channel.hasDescriptor(), "its descriptor went to make room");
        assertEquals(expected, slice.readFully(), "the region reads the same bytes through a reopened descriptor");
        assertEquals(expected, sendfile(slice), "and sends them whole with transferTo");
        assertTrue(files.openCount() <= CAP_WHILE_BUSY);
    }

    @Test
    void aSliceOfARetiredSegmentWhoseDescriptorWasClosedStillReadsWhole() {
        SegmentedLog log = open(0);
        for (int i = 0; i < 10; i++) log.append(TestBatches.batch(2, 1_000L + i, 200));
        LogSlice slice = log.read(0, 1 << 20, true);
        ByteBuffer expected = slice.readFully();
        for (int i = 1; i <= 3 * CAP; i++) open(i).append(TestBatches.batch(1, 1_000L, 10));
        assertFalse(((CachedFileChannel) slice.channel()).hasDescriptor());
        log.deleteRecordsBefore(log.logEndOffset() - 1);
        retired = 1; // the deleted segment the slice was read from stays open for the delete delay
        assertFalse(Files.exists(tmp.resolve("t-0").resolve(Segment.fileName(0, Segment.LOG))), "unlinked");
        assertEquals(expected, slice.readFully(), "a response in flight still reads the deleted segment whole");
    }

    private static ByteBuffer sendfile(LogSlice slice) throws IOException {
        Pipe pipe = Pipe.open();
        ByteBuffer out = ByteBuffer.allocate(slice.size());
        pipe.source().configureBlocking(false);
        long sent = 0;
        while (sent < slice.size() || out.hasRemaining()) {
            if (sent < slice.size())
                sent += slice.channel().transferTo(slice.position() + sent, slice.size() - sent, pipe.sink());
            if (pipe.source().read(out) < 0) break;
        }
        pipe.sink().close();
        pipe.source().close();
        return out.flip();
    }
}
