package dev.skiff.server;

import dev.skiff.log.OpenDescriptor;
import dev.skiff.protocol.SharedFileRegion;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;

/**
 * For Netty's native (epoll) transport, at the head of a plain-text connection's pipeline: each region of a log
 * file becomes a {@link DefaultFileRegion}, because the native transport sends only those with sendfile (reading
 * the JDK channel's descriptor field itself) and copies any other region through a buffer. Over TLS the regions
 * are copied anyway ({@link CopyFileRegions}); under NIO they go out by {@code transferTo} as they are.
 *
 * <p>The descriptor is leased from the log only when the transport starts sending the region ({@code open()},
 * which the native sendfile calls first) and given back when the region is released, sent or not. A fetch
 * answer may hold thousands of regions (one per partition), queued all at once; leasing them at the write would
 * hold thousands of descriptors past the log's open-file cap, so only the region on the wire holds one.
 */
@ChannelHandler.Sharable
final class NativeFileRegions extends ChannelOutboundHandlerAdapter {

    static final NativeFileRegions INSTANCE = new NativeFileRegions();

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

    /** Whether this handler can hand regions to the native sendfile here. */
    static boolean available() {
        return FILE != null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (FILE == null || !(msg instanceof SharedFileRegion region) || !OpenDescriptor.lendable(region.channel())) {
            ctx.write(msg, promise); // the transport sends it through transferTo, copying
            return;
        }
        Leased leased = new Leased(
                region.channel(), region.position() + region.transferred(), region.count() - region.transferred());
        region.release();
        ctx.write(leased, promise);
    }

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
