package dev.skiff.protocol.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Records held in a buffer. On the request path this is a slice of the request frame (valid while the
 * request is being handled); handlers that keep it longer must copy it.
 */
public record BufferRecords(ByteBuf buf) implements RecordsData {

    public static final BufferRecords EMPTY = new BufferRecords(Unpooled.EMPTY_BUFFER);

    public static BufferRecords of(java.nio.ByteBuffer b) {
        return new BufferRecords(Unpooled.wrappedBuffer(b));
    }

    @Override
    public int sizeInBytes() {
        return buf.readableBytes();
    }
}
