package dev.skiff.protocol;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * One complete response on the wire: the pieces in order (the first a ByteBuf holding the 4-byte size and
 * the header; then ByteBufs and FileRegions) and the total size including the size prefix.
 */
public record ResponseFrame(List<Object> pieces, long sizeInBytes) {

    /** Writes every piece and flushes; Netty releases the pieces once written. Returns the last write. */
    public ChannelFuture writeAndFlush(ChannelOutboundInvoker out) {
        for (int i = 0; i < pieces.size() - 1; i++) {
            out.write(pieces.get(i), out.voidPromise());
        }
        return out.writeAndFlush(pieces.get(pieces.size() - 1));
    }

    /** Releases the pieces of a frame that will not be written. */
    public void release() {
        for (Object piece : pieces) ReferenceCountUtil.release(piece);
    }
}
