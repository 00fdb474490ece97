package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/** A channel factory whose channels can be told to fail their next write half way, like a full disk. */
final class FaultyFiles implements FileChannelFactory {
    private volatile Predicate<Path> failWritesTo = p -> false;
    private volatile CountDownLatch forceGate = new CountDownLatch(0);
    /** Every fsync of a segment's log file: the file name and the thread that did it, in order. */
    final List<String> logForces = new CopyOnWriteArrayList<>();

    /** From now on fsyncs of log files wait until {@link #openForces()}. */
    void holdForces() {
        forceGate = new CountDownLatch(1);
    }

    void openForces() {
        forceGate.countDown();
    }

    /** From now on writes to matching files write half their bytes, then throw. */
    void failWrites(Predicate<Path> which) {
        failWritesTo = which;
    }

    void heal() {
        failWritesTo = p -> false;
    }

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return new Channel(path, FileChannel.open(path, options));
    }

    private final class Channel extends FileChannel {
        private final Path path;
        private final FileChannel inner;

        Channel(Path path, FileChannel inner) {
            this.path = path;
            this.inner = inner;
        }

        private int write(ByteBuffer src, long position, boolean positional) throws IOException {
            if (failWritesTo.test(path)) {
                ByteBuffer half = src.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                int n = positional ? inner.write(half, position) : inner.write(half);
                src.position(src.position() + n);
                throw new IOException("No space left on device (injected)");
            }
            return positional ? inner.write(src, position) : inner.write(src);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return write(src, -1, false);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return write(src, position, true);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) n += write(srcs[i]);
            return n;
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
        public FileChannel position(long newPosition) throws IOException {
            inner.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            inner.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (path.getFileName().toString().endsWith(Segment.LOG)) {
                try {
                    forceGate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                logForces.add(path.getFileName() + "@" + Thread.currentThread().getName());
            }
            inner.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return inner.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
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
