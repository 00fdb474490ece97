package dev.skiff.it.durability;

import dev.skiff.log.FileChannelFactory;
import dev.skiff.log.ForwardingFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's disk, seen through the log layer's {@link FileChannelFactory}: it can be made "full" (every
 * write, and every fsync, fails with ENOSPC's message, after writing nothing) and emptied again, and it counts
 * fsyncs per file kind so tests can see when the broker forces data to the device.
 */
final class InjectedDisk implements FileChannelFactory {

    private volatile boolean full;
    private volatile boolean syncBroken;
    final AtomicLong logForces = new AtomicLong();
    final AtomicLong failedWrites = new AtomicLong();

    void fill() {
        full = true;
    }

    void makeSpace() {
        full = false;
    }

    /** Writes still land in the page cache, but fsync fails (a dying device, or ENOSPC reported late). */
    void breakSync(boolean broken) {
        syncBroken = broken;
    }

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return new Channel(path.getFileName().toString().endsWith(".log"), FileChannel.open(path, options));
    }

    private IOException noSpace() {
        failedWrites.incrementAndGet();
        return new IOException("No space left on device (injected)");
    }

    /** Delegates everything; writes and forces consult the switch first. */
    private final class Channel extends ForwardingFileChannel {
        private final boolean segment;

        Channel(boolean segment, FileChannel inner) {
            super(inner);
            this.segment = segment;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (full) throw noSpace();
            return inner.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (full) throw noSpace();
            return inner.write(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            if (full) throw noSpace();
            return inner.write(srcs, offset, length);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (full || syncBroken) throw noSpace();
            inner.force(metaData);
            if (segment) logForces.incrementAndGet();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (full) throw noSpace();
            return inner.transferFrom(src, position, count);
        }
    }
}
