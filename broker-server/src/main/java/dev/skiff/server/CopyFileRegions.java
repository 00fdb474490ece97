package dev.skiff.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Over TLS the bytes must pass through the engine, so fetch answers cannot go out as zero-copy file regions:
 * this handler, just behind the TLS handler, copies each region into a buffer. Plain-text listeners do not
 * have it and keep zero copy.
 */
@ChannelHandler.Sharable
final class CopyFileRegions extends ChannelOutboundHandlerAdapter {

    static final CopyFileRegions INSTANCE = new CopyFileRegions();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof FileRegion region)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf copy;
        try {
            long count = region.count() - region.transferred();
            copy = ctx.alloc().buffer((int) count);
            ByteBuf target = copy;
            WritableByteChannel into = new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) {
                    int n = src.remaining();
                    target.writeBytes(src);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            };
            long done = region.transferred();
            while (done < region.count()) {
                long n = region.transferTo(into, done);
                if (n <= 0) throw new IOException("file region ended early at " + done + " of " + region.count());
                done += n;
            }
        } finally {
            region.release();
        }
        ctx.write(copy, promise);
    }
}
