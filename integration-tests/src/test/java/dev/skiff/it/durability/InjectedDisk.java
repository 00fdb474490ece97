package dev.skiff.it.durability;

import dev.skiff.log.FileChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
    private final class Channel extends FileChannel {
        private final boolean segment;
        private final FileChannel inner;

        Channel(boolean segment, FileChannel inner) {
            this.segment = segment;
            this.inner = inner;
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
        public FileChannel truncate(long size) throws IOException {
            inner.truncate(size); // shrinking needs no space
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return inner.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return inner.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return inner.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return inner.position();
        }

        @Override
        public FileChannel position(long p) throws IOException {
            inner.position(p);
            return this;
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return inner.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (full) throw noSpace();
            return inner.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return inner.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return inner.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return inner.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            inner.close();
        }
    }
}
