package dev.skiff.server;

import dev.skiff.log.OpenDescriptor;
import dev.skiff.protocol.SharedFileRegion;
import io.netty.channel.DefaultFileRegion;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;

/**
 * On a plain-text connection, the answer's writer turns each region of a log file into a {@link DefaultFileRegion}
 * over a descriptor leased from the log for the length of its send. Netty's native (epoll) transport sends only
 * DefaultFileRegions with its own sendfile (it reads the JDK channel's descriptor field itself) and copies any other
 * region through a buffer; NIO sends it by {@code transferTo}, as it would the log's own region. On both, a send
 * once begun keeps its file readable to the end, even if its segment is deleted meanwhile and the delete delay runs
 * out (DeletedWhileSendingTest). Over TLS the regions are copied anyway ({@link CopyFileRegions}). Done by the
 * writer, not a pipeline handler: a handler's context would cost every connection 64 bytes.
 *
 * <p>The descriptor is leased from the log only when the transport starts sending the region ({@code open()},
 * which both transports call first) and given back when the region is released, sent or not. A fetch answer may
 * hold thousands of regions (one per partition), queued all at once; leasing them at the write would hold
 * thousands of descriptors past the log's open-file cap, so only the region on the wire holds one.
 */
final class LeasedFileRegions {

    /** DefaultFileRegion's channel, the field the native sendfile reads; null where it cannot be reached. */
    private static final VarHandle FILE = fileField();

    private static VarHandle fileField() {
        try {
            return MethodHandles.privateLookupIn(DefaultFileRegion.class, MethodHandles.lookup())
                    .findVarHandle(DefaultFileRegion.class, "file", FileChannel.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a Netty without the field, or one in a module that does not open it: regions go as they are
        }
    }

    /** Whether log regions can be leased this way in this JVM. */
    static boolean available() {
        return FILE != null;
    }

    /** The piece to write for {@code piece}: a log region as a {@link Leased} region where it can be, else itself. */
    static Object forSend(Object piece) {
        if (FILE == null || !(piece instanceof SharedFileRegion region) || !OpenDescriptor.lendable(region.channel())) {
            return piece; // the transport sends it through transferTo, copying
        }
        Leased leased = new Leased(
                region.channel(), region.position() + region.transferred(), region.count() - region.transferred());
        region.release();
        return leased;
    }

    private LeasedFileRegions() {}

    /** A region whose JDK descriptor is leased when its send starts and given back when it is released. */
    static final class Leased extends DefaultFileRegion {
        private final FileChannel log;
        private OpenDescriptor lease; // event loop only

        Leased(FileChannel log, long position, long count) {
            super(new File(log.toString()), position, count); // the file is never opened by name: see open()
            this.log = log;
        }

        @Override
        public boolean isOpen() {
            return lease != null;
        }

        @Override
        public void open() throws IOException {
            if (lease != null) return;
            if (refCnt() == 0) throw new IOException("region released before it was sent");
            OpenDescriptor l = OpenDescriptor.of(log);
            if (l == null) throw new IOException("no descriptor to lend for " + log);
            lease = l;
            FILE.setVolatile(this, l.channel());
        }

        @Override
        protected void deallocate() {
            FILE.setVolatile(this, null);
            OpenDescriptor l = lease;
            lease = null;
            if (l != null) l.close();
        }
    }
}
