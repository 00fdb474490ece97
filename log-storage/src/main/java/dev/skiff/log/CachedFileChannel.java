package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A file channel whose descriptor {@link OpenFiles} may close between operations and that reopens on the
 * next one. Callers, and a file region a response is still sending, hold this object, never the descriptor,
 * so an eviction never fails them: an operation keeps its descriptor until it returns.
 *
 * <p>Only the first open may create the file; a reopen that finds the file gone fails rather than serve an
 * empty new one. A retired segment's file may be unlinked or replaced, so it is never reopened: it stays
 * open as it is (pinned) until closed.
 */
final class CachedFileChannel extends FileChannel {
    private final OpenFiles owner;
    final Path path;
    private Set<OpenOption> options;
    /** Set by every use, cleared by the clock sweep. */
    volatile boolean referenced;
    /** Written since the last fsync: a force with nothing written need not reopen the file. */
    private volatile boolean dirty;
    /** When a region of this file was last handed out for sending (nanoTime), 0 if never. */
    private volatile long handedOutNanos;

    private long position;

    // guarded by this
    private FileChannel descriptor;
    private int busy;
    private boolean evicted; // close the descriptor when the last operation ends
    private boolean pinned; // retired: never evicted, never reopened

    CachedFileChannel(OpenFiles owner, Path path, Set<? extends OpenOption> options) {
        this.owner = owner;
        this.path = path;
        this.options = Set.copyOf(options); // three per partition: a HashSet of them cost ~250 bytes each
    }

    /** The options of a reopen, which must find the file created by the first open. */
    private static Set<OpenOption> withoutCreate(Set<OpenOption> options) {
        if (!options.contains(StandardOpenOption.CREATE)) return options;
        Set<OpenOption> rest = new HashSet<>(options);
        rest.remove(StandardOpenOption.CREATE);
        return Set.copyOf(rest);
    }

    /**
     * Opens the file now (creating it when the options say so), so a missing file fails here, not later; the
     * descriptor is then closed again until the first use, so files created or loaded but not used since hold
     * no descriptor (a broker with 1,000 idle partitions held 3,000).
     */
    CachedFileChannel touch() throws IOException {
        release(acquire());
        park();
        return this;
    }

    /** Closes the descriptor when no operation is using it; the next use reopens it. */
    void park() {
        synchronized (this) {
            if (descriptor == null || busy > 0 || pinned) return;
        }
        owner.forget(this); // not under this channel's lock: the owner's lock comes first
        synchronized (this) {
            if (descriptor != null && busy == 0 && !pinned) closeDescriptor();
        }
    }

    /** Records that a region of this file is on its way to a client (see {@link #retire()}). */
    void handedOut() {
        handedOutNanos = System.nanoTime();
    }

    private interface Io<T> {
        T run(FileChannel ch) throws IOException;
    }

    private <T> T io(Io<T> op) throws IOException {
        FileChannel ch = acquire();
        try {
            return op.run(ch);
        } catch (ClosedChannelException e) {
            return again(op, ch, e); // kept out of this method, which every read and write goes through
        } finally {
            release(ch);
        }
    }

    /**
     * NIO closes a file channel for every thread when one thread is interrupted in it (a broker stopping its
     * fetchers or scheduler mid-write); the descriptor is dead, not this file. Unless this thread is the
     * interrupted one or this channel was closed, drop it and run the operation once more on a fresh descriptor:
     * every operation here is positional, and a failed one moved no bytes, so the retry repeats it exactly.
     */
    private <T> T again(Io<T> op, FileChannel dead, ClosedChannelException e) throws IOException {
        if (e instanceof ClosedByInterruptException
                || Thread.currentThread().isInterrupted()
                || !isOpen()
                || dead.isOpen()) throw e;
        dropDead(dead);
        FileChannel fresh = acquire();
        try {
            return op.run(fresh);
        } finally {
            release(fresh);
        }
    }

    /** Forgets a descriptor closed under this channel (see {@link #io}), so the next use opens the file again. */
    private void dropDead(FileChannel dead) {
        owner.forget(this); // before this channel's lock, in the order admit takes them
        synchronized (this) {
            if (descriptor == dead) closeDescriptor(); // closing it again is a no-op; the count goes down
        }
    }

    /**
     * The descriptor itself, marked busy until {@link #unlease} gives it back: the clock and a close leave it
     * open meanwhile (a close takes effect at the give-back). For a sender that needs the JDK's channel.
     */
    FileChannel lease() throws IOException {
        return acquire();
    }

    /** Whether this file's descriptors are the JDK's own channels (the default file factory opens them). */
    boolean opensJdkChannels() {
        return owner.files() == FileChannelFactory.DEFAULT;
    }

    /** Gives back what {@link #lease} lent. */
    void unlease(FileChannel descriptor) {
        release(descriptor);
    }

    private FileChannel acquire() throws IOException {
        referenced = true;
        synchronized (this) {
            if (!isOpen()) throw new ClosedChannelException();
            if (descriptor != null && !evicted) {
                busy++;
                return descriptor;
            }
            if (pinned) throw new ClosedChannelException();
        }
        return owner.admit(this);
    }

    /** Called by {@link OpenFiles#admit} under its lock: gives this channel a descriptor and marks it busy. */
    synchronized FileChannel attach(FileChannelFactory files) throws IOException {
        if (!isOpen() || (pinned && descriptor == null)) throw new ClosedChannelException();
        if (descriptor == null) {
            descriptor = files.open(path, options);
            owner.opened();
            options = withoutCreate(options); // a reopen must find the same file
        }
        evicted = false;
        busy++;
        return descriptor;
    }

    /** Whether the clock may close this channel's descriptor. */
    synchronized boolean closable() {
        return descriptor != null && !pinned && isOpen();
    }

    private synchronized void release(FileChannel ch) {
        busy--;
        if (busy == 0 && evicted && descriptor == ch) closeDescriptor();
    }

    /** Called by the clock (which already took this channel out of it): close now, or when the last use ends. */
    synchronized void evict() {
        if (descriptor == null || pinned) return;
        if (busy == 0) closeDescriptor();
        else evicted = true;
    }

    private void closeDescriptor() {
        try {
            descriptor.close();
        } catch (IOException ignored) {
            // reads and writes reported their errors; nothing is left to lose on a close
        }
        descriptor = null;
        evicted = false;
        owner.closed();
    }

    /**
     * Takes the file out of service (its segment was deleted or replaced). A region of it handed out within the
     * delete delay may still be sending: then the descriptor stays open (reopened if the clock had closed it,
     * while the file is still there) and closes after the delay, as {@link DelayedClose} does; else it closes now.
     */
    void retire() {
        owner.forget(this);
        boolean recent = handedOutNanos != 0
                && System.nanoTime() - handedOutNanos < TimeUnit.MILLISECONDS.toNanos(DelayedClose.DELAY_MS);
        synchronized (this) {
            pinned = true;
            evicted = false;
            if (recent && descriptor == null && isOpen()) {
                try {
                    options = withoutCreate(options);
                    descriptor = owner.files().open(path, options);
                    owner.opened();
                } catch (IOException e) {
                    // gone already: nothing can read it any more
                }
            }
        }
        if (recent) DelayedClose.later(this);
        else closeQuietly();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // as in closeDescriptor
        }
    }

    @Override
    protected void implCloseChannel() {
        owner.forget(this);
        synchronized (this) {
            if (descriptor != null && busy == 0) closeDescriptor();
            else if (descriptor != null) evicted = true;
        }
    }

    // ---- FileChannel ------------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        return io(ch -> ch.read(dst, at));
    }

    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        dirty = true;
        return io(ch -> ch.write(src, at));
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) position += n;
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) continue;
            int n = read(dsts[i]);
            if (n < 0) return total == 0 ? -1 : total;
            total += n;
            if (dsts[i].hasRemaining()) break;
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = write(src, position);
        position += n;
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) total += write(srcs[i]);
        return total;
    }

    @Override
    public long position() throws IOException {
        if (!isOpen()) throw new ClosedChannelException();
        return position;
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (!isOpen()) throw new ClosedChannelException();
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        return io(FileChannel::size);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        dirty = true;
        io(ch -> ch.truncate(size));
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (!dirty) {
            if (!isOpen()) throw new ClosedChannelException();
            return;
        }
        dirty = false;
        try {
            // fsync through any descriptor flushes the file's dirty pages, also those written through a closed one
            io(ch -> {
                ch.force(metaData);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            dirty = true;
            throw e;
        }
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        return io(ch -> ch.transferTo(at, count, target));
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
        dirty = true;
        return io(ch -> ch.transferFrom(src, at, count));
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("segment files are not mapped");
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("segment files are not locked");
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("segment files are not locked");
    }

    /** Whether a descriptor is open right now (tests). */
    synchronized boolean hasDescriptor() {
        return descriptor != null;
    }

    @Override
    public String toString() {
        return "CachedFileChannel[" + path + "]";
    }
}
