package dev.skiff.protocol;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.IllegalReferenceCountException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A part of a log file on its way to a client, over a channel the log keeps open: releasing the region leaves
 * the channel open (Netty's DefaultFileRegion would close it). Sent by {@link FileChannel#transferTo}, which is
 * sendfile when the target is the JDK's socket channel (Netty's NIO transport). Not a DefaultFileRegion on
 * purpose: Netty's native transports send those by reading the JDK file channel's descriptor field directly,
 * and the log's channels are its own {@code FileChannel}s; the server hands them a region over the real
 * descriptor instead (see {@link #channel()}).
 */
public final class SharedFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel channel;
    private final long position;
    private final long count;
    private long transferred;

    SharedFileRegion(FileChannel channel, long position, long count) {
        this.channel = channel;
        this.position = position;
        this.count = count;
    }

    /** The log's channel the bytes are in. */
    public FileChannel channel() {
        return channel;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferTo(WritableByteChannel target, long at) throws IOException {
        long left = count - at;
        if (left < 0 || at < 0) {
            throw new IllegalArgumentException("position out of range: " + at + " (expected: 0 - " + (count - 1) + ')');
        }
        if (left == 0) return 0L;
        if (refCnt() == 0) throw new IllegalReferenceCountException(0);
        long written = channel.transferTo(position + at, left, target);
        if (written > 0) {
            transferred += written;
        } else if (written == 0 && channel.size() < position + count) {
            // a file cut below the region would otherwise have the event loop retry the send for ever
            throw new IOException(
                    "file of " + channel.size() + " bytes ends before the region's end at " + (position + count));
        }
        return written;
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log segment; leave it open.
    }

    @Override
    public SharedFileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public SharedFileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public SharedFileRegion touch() {
        return this;
    }

    @Override
    public SharedFileRegion touch(Object hint) {
        return this;
    }
}
