package dev.skiff.log;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NIO closes a file channel for all its users when one thread is interrupted in it. A broker interrupts threads
 * when it stops (its replica fetchers, its scheduler), and a log's close on another thread then met a closed
 * descriptor, failed, and stopped the close of every partition after it.
 */
class InterruptedIoTest {
    @TempDir
    Path tmp;

    private final OpenFiles files = new OpenFiles(FileChannelFactory.DEFAULT, 8);

    @Test
    void anotherThreadsInterruptDoesNotCloseTheFileForThisOne() throws Exception {
        CachedFileChannel ch = files.channel(tmp.resolve("f"), Set.of(CREATE, READ, WRITE));
        ch.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0);

        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread interrupted = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                ch.size();
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        interrupted.start();
        interrupted.join();
        // the interrupted thread learns of its interrupt, as NIO tells it
        assertInstanceOf(java.nio.channels.ClosedByInterruptException.class, seen.get());

        // every other thread goes on with the file
        assertEquals(5, ch.size());
        ByteBuffer back = ByteBuffer.allocate(5);
        assertEquals(5, ch.read(back, 0));
        assertEquals("hello", new String(back.array(), StandardCharsets.US_ASCII));
        ch.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.US_ASCII)), 5);
        ch.force(true);
        assertEquals(6, ch.size());
        assertEquals(1, files.openCount(), "the dead descriptor is no longer counted");

        ch.close();
        assertEquals(0, files.openCount());
        assertThrows(ClosedChannelException.class, ch::size, "a channel closed by its owner stays closed");
    }
}
