package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch hands the network a region of a segment file and the bytes leave later, with sendfile. If retention
 * deletes that segment in between, the region must still read whole: the file is unlinked at once but its
 * channel stays open for a while.
 */
class RetiredSegmentStaysReadableTest {

    @TempDir
    Path dir;

    @Test
    void aSliceOfADeletedSegmentStillReadsWhole() {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults().withSegmentBytes(4096))) {
            for (int i = 0; i < 20; i++) log.append(TestBatches.batch(5, 1_000L + i, 100));
            LogSlice first = log.read(0, 1 << 20, true);
            assertTrue(first.isFile() && first.size() > 0);
            ByteBuffer before = first.readFully();

            log.deleteRecordsBefore(log.logEndOffset() - 1); // every older segment goes
            assertTrue(log.logStartOffset() > 0);
            assertFalse(Files.exists(dir.resolve("00000000000000000000.log")), "the file is unlinked");

            assertTrue(first.channel().isOpen(), "its channel stays open for responses in flight");
            assertEquals(before, first.readFully(), "and the region reads back the same bytes");
        }
    }
}
