package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class FramingTest {

    private static ByteBuf frame(int size, int bodyBytes) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(size);
        for (int i = 0; i < bodyBytes; i++) b.writeByte(i);
        return b;
    }

    @Test
    void splitsFramesAcrossReads() {
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        ByteBuf two = Unpooled.buffer().writeBytes(frame(3, 3)).writeBytes(frame(2, 2));
        ch.writeInbound(two.readRetainedSlice(5));
        ch.writeInbound(two.readRetainedSlice(two.readableBytes()));
        two.release();
        ByteBuf first = ch.readInbound();
        ByteBuf second = ch.readInbound();
        assertEquals(3, first.readableBytes());
        assertEquals(2, second.readableBytes());
        first.release();
        second.release();
        assertFalse(ch.finish());
    }

    @Test
    void negativeSizeFails() {
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        InvalidFrameSizeException e =
                assertThrows(InvalidFrameSizeException.class, () -> ch.writeInbound(frame(-5, 4)));
        assertEquals(-5, e.size());
        // Whatever follows is dropped, not framed.
        ch.writeInbound(frame(1, 1));
        assertNull(ch.readInbound());
    }

    @Test
    void oversizedFrameFails() {
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        InvalidFrameSizeException e =
                assertThrows(InvalidFrameSizeException.class, () -> ch.writeInbound(frame(1025, 0)));
        assertEquals(1024, e.maxSize());
    }

    @Test
    void truncatedFrameEmitsNothing() {
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder(1024));
        ch.writeInbound(frame(100, 60));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[2])); // not even a size prefix
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }
}
