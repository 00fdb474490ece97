package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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

    private final class Channel extends ForwardingFileChannel {
        private final Path path;

        Channel(Path path, FileChannel inner) {
            super(inner);
            this.path = path;
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
    }
}
