package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.types.FileRecords;
import io.netty.channel.DefaultFileRegion;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log region becomes a DefaultFileRegion whose descriptor is taken only when its send starts, so an answer of
 * thousands of regions holds no descriptor while queued; the region carries the right bytes.
 */
class LeasedFileRegionsTest {

    @TempDir
    Path dir;

    @Test
    void aLogRegionIsLeasedOnlyWhenItsSendStarts() throws Exception {
        assertTrue(LeasedFileRegions.available(), "DefaultFileRegion's channel field is reachable");
        byte[] bytes = new byte[1000];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 7);
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, bytes);
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ)) {
            ProtocolWriter w = new ProtocolWriter();
            w.writeRecords(new FileRecords(log, 100, 500));
            Object region = w.finish().get(0);
            DefaultFileRegion sent = assertInstanceOf(DefaultFileRegion.class, LeasedFileRegions.forSend(region));
            assertFalse(sent.isOpen(), "queued: no descriptor taken yet");

            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            WritableByteChannel sink = Channels.newChannel(wire);
            sent.open(); // what the native sendfile does first
            assertTrue(sent.isOpen());
            while (sent.transferred() < sent.count()) sent.transferTo(sink, sent.transferred());
            assertArrayEquals(Arrays.copyOfRange(bytes, 100, 600), wire.toByteArray());

            sent.release();
            assertFalse(sent.isOpen(), "released: the descriptor is given back");
            assertTrue(log.isOpen(), "the log's own channel outlives the region");
            assertSame(this, LeasedFileRegions.forSend(this), "anything else is written as it is");
        }
    }
}
