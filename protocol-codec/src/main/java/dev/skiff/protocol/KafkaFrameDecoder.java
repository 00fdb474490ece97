package dev.skiff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into Kafka frames: a 4-byte big-endian size, then that many bytes. Emits each
 * frame (without its size) as a retained ByteBuf slice that the next handler must release.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {

    /** Kafka's default socket.request.max.bytes. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 100 * 1024 * 1024;

    private volatile int maxRequestSize;
    private boolean broken;

    public KafkaFrameDecoder() {
        this(DEFAULT_MAX_REQUEST_SIZE);
    }

    public KafkaFrameDecoder(int maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    /** Changes the largest frame accepted from now on (a SASL listener caps frames until the client authenticates). */
    public void maxRequestSize(int maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    /** Bytes of a frame received only in part (0 between frames): lets the server time out slow senders. */
    public int partialFrameBytes() {
        return actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            // After a bad size nothing that follows can be framed; drop it until the channel closes.
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size < 0 || size > maxRequestSize) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw new InvalidFrameSizeException(size, maxRequestSize);
            }
            if (in.readableBytes() - 4 < size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }
}
