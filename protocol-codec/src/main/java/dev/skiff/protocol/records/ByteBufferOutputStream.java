package dev.skiff.protocol.records;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/** A growable heap buffer that hands out its bytes without a final copy. */
final class ByteBufferOutputStream extends OutputStream {
    private ByteBuffer buf;

    ByteBufferOutputStream(int initialCapacity) {
        buf = ByteBuffer.allocate(Math.max(64, initialCapacity));
    }

    /** The underlying buffer, positioned at the end of what was written; grows (and changes) on writes. */
    ByteBuffer buffer() {
        return buf;
    }

    int position() {
        return buf.position();
    }

    void ensureRemaining(int n) {
        if (buf.remaining() >= n) return;
        long wanted = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
        if (wanted > Integer.MAX_VALUE - 8) throw new IllegalStateException("Buffer would exceed 2 GiB");
        ByteBuffer bigger = ByteBuffer.allocate((int) wanted);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }

    @Override
    public void write(int b) {
        ensureRemaining(1);
        buf.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensureRemaining(len);
        buf.put(b, off, len);
    }

    void write(ByteBuffer src) {
        ensureRemaining(src.remaining());
        buf.put(src.duplicate());
    }

    /** The written bytes as a buffer from 0 to the current position. */
    ByteBuffer toBuffer() {
        return buf.duplicate().flip();
    }
}
