package dev.skiff.log;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A run of whole record batches read from a log: either a region of a segment file (served with zero copy)
 * or a buffer (the in-memory log). {@code size} is 0 when there is nothing to read.
 */
public record LogSlice(FileChannel channel, long position, int size, ByteBuffer buffer) {

    public static final LogSlice EMPTY = new LogSlice(null, 0, 0, ByteBuffer.allocate(0));

    public static LogSlice ofFile(FileChannel channel, long position, int size) {
        return new LogSlice(channel, position, size, null);
    }

    public static LogSlice ofBuffer(ByteBuffer buffer) {
        return new LogSlice(null, 0, buffer.remaining(), buffer);
    }

    public boolean isFile() {
        return channel != null;
    }

    /** Copies the bytes into a heap buffer, for callers that must look inside (down-conversion). */
    public ByteBuffer readFully() {
        if (!isFile()) return buffer.duplicate();
        ByteBuffer out = ByteBuffer.allocate(size);
        try {
            while (out.hasRemaining()) {
                int n = channel.read(out, position + out.position());
                if (n < 0) break;
            }
        } catch (java.io.IOException e) {
            throw new LogStorageException("read failed", e);
        }
        return out.flip();
    }
}
