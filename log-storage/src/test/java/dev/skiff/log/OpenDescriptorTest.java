package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leased descriptor stays open through the open-file clock and a close, and closes when given back. */
class OpenDescriptorTest {

    @TempDir
    Path dir;

    private static byte[] read(FileChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {}
        return b.array();
    }

    @Test
    void aLeaseOutlivesEvictionAndCloseThenClosesOnGiveBack() throws Exception {
        Path file = dir.resolve("a.log");
        Files.write(file, "hello".getBytes());
        OpenFiles files = new OpenFiles(FileChannelFactory.DEFAULT, 1);
        CachedFileChannel a =
                files.channel(file, Set.of(StandardOpenOption.READ)).touch();
        assertFalse(a.hasDescriptor(), "parked after the first open");

        assertTrue(OpenDescriptor.lendable(a));
        assertFalse(a.hasDescriptor(), "asking whether it is lendable opens nothing");
        OpenDescriptor lease = OpenDescriptor.of(a);
        FileChannel jdk = lease.channel();
        assertTrue(a.hasDescriptor());
        assertEquals("sun.nio.ch.FileChannelImpl", jdk.getClass().getName());

        // a second file under a cap of one makes the clock evict the first; the lease keeps it open
        Path other = dir.resolve("b.log");
        Files.write(other, "x".getBytes());
        CachedFileChannel b = files.channel(other, Set.of(StandardOpenOption.READ));
        read(b, 1);
        assertTrue(jdk.isOpen(), "evicted while leased: closes at the give-back");
        a.close(); // a deleted segment's close, too, waits for the lease
        assertTrue(jdk.isOpen());
        assertEquals("hello", new String(read(jdk, 5)));

        lease.close();
        assertFalse(jdk.isOpen(), "given back after eviction and close: closed");
        lease.close(); // a second give-back is a no-op
        b.close();
    }

    @Test
    void aLeaseReopensAFileTheClockClosed() throws Exception {
        Path file = dir.resolve("c.log");
        Files.write(file, "data".getBytes());
        OpenFiles files = new OpenFiles(FileChannelFactory.DEFAULT, 4);
        CachedFileChannel c =
                files.channel(file, Set.of(StandardOpenOption.READ)).touch();
        try (OpenDescriptor lease = OpenDescriptor.of(c)) {
            assertEquals("data", new String(read(lease.channel(), 4)));
        }
        assertTrue(c.isOpen(), "the log's channel stays usable after the lease");
        assertEquals("data", new String(read(c, 4)));
        c.close();
    }

    @Test
    void aJdkChannelLendsItselfAndIsNotClosed() throws Exception {
        Path file = dir.resolve("d.log");
        Files.write(file, "d".getBytes());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            OpenDescriptor lease = OpenDescriptor.of(ch);
            assertSame(ch, lease.channel());
            lease.close();
            assertTrue(ch.isOpen());
        }
    }

    @Test
    void aWrappedDescriptorIsNotLentAndStaysUsable() throws Exception {
        Path file = dir.resolve("w.log");
        Files.write(file, "wrapped".getBytes());
        // a factory that wraps the JDK's channel, as the fault-injecting tests' factories do
        FileChannelFactory wrapping = (path, options) -> new ForwardingFileChannel(FileChannel.open(path, options));
        OpenFiles files = new OpenFiles(wrapping, 4);
        CachedFileChannel w =
                files.channel(file, Set.of(StandardOpenOption.READ)).touch();
        assertFalse(OpenDescriptor.lendable(w), "known without opening: the factory is not the JDK's");
        assertNull(OpenDescriptor.of(w), "only the JDK's own channel has the descriptor a native sender reads");
        assertEquals("wrapped", new String(read(w, 7)));
        w.close();
        assertFalse(w.hasDescriptor(), "the refused lease was given back: the close took the descriptor");
    }

    @Test
    void otherChannelsAreNotLent() throws Exception {
        Path file = dir.resolve("e.log");
        Files.write(file, "e".getBytes());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel wrapper = new ForwardingFileChannel(ch)) {
            assertNull(OpenDescriptor.of(wrapper));
        }
    }
}
