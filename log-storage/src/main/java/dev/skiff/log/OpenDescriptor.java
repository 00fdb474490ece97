package dev.skiff.log;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The JDK's own file channel behind one of the log's channels, held open until {@link #close()}. The log's
 * channels may close their descriptor between operations (see {@link OpenFiles}); a sender that hands the
 * descriptor to the kernel over many event-loop turns, such as a native transport's sendfile, leases it here so
 * that neither the open-file clock nor a segment's deletion closes it mid-send.
 */
public final class OpenDescriptor implements AutoCloseable {
    private static final String JDK_FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

    private final CachedFileChannel owner; // null: a JDK channel lent as it is, never closed here
    private final FileChannel descriptor;
    private boolean closed;

    private OpenDescriptor(CachedFileChannel owner, FileChannel descriptor) {
        this.owner = owner;
        this.descriptor = descriptor;
    }

    /**
     * Leases the JDK channel behind {@code channel}: the log's own channels lend their descriptor (reopening the
     * file if the clock had closed it) when it is the JDK's, a JDK channel lends itself; anything else gives
     * null, and the caller sends through the channel as it is.
     */
    public static OpenDescriptor of(FileChannel channel) throws IOException {
        if (channel instanceof CachedFileChannel cached) {
            FileChannel descriptor = cached.lease();
            // the log's file factory may wrap the JDK's channel (tests that inject faults): only the JDK's own
            // class has the descriptor field a native sender reads
            if (isJdk(descriptor)) return new OpenDescriptor(cached, descriptor);
            cached.unlease(descriptor);
            return null;
        }
        return isJdk(channel) ? new OpenDescriptor(null, channel) : null;
    }

    /**
     * Whether {@link #of} would lend a JDK channel for {@code channel}, decided without opening anything: the
     * log's channels whose files open through the JDK (not a test's wrapping factory), or a JDK channel itself.
     */
    public static boolean lendable(FileChannel channel) {
        if (channel instanceof CachedFileChannel cached) return cached.opensJdkChannels();
        return isJdk(channel);
    }

    private static boolean isJdk(FileChannel channel) {
        return channel.getClass().getName().equals(JDK_FILE_CHANNEL);
    }

    /** The JDK's channel; valid until {@link #close()}. */
    public FileChannel channel() {
        return descriptor;
    }

    /** Gives the descriptor back; more calls do nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (owner != null) owner.unlease(descriptor);
    }
}
