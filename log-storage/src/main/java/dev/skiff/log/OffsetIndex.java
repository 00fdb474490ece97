package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** {@code .index}: 4-byte offset relative to the segment base, 4-byte file position of a batch start. */
final class OffsetIndex extends IndexFile {
    static final int ENTRY = 8;

    OffsetIndex(Path path, OpenFiles files, int maxIndexBytes) throws IOException {
        super(path, files, ENTRY, maxIndexBytes);
    }

    @Override
    void encode(ByteBuffer out, long key, int value) {
        out.putInt((int) key).putInt(value);
    }

    @Override
    long decodeKey(ByteBuffer in) {
        return in.getInt();
    }

    @Override
    int decodeValue(ByteBuffer in) {
        return in.getInt();
    }

    @Override
    boolean plausible(long key, int value, int logSize) {
        return key >= 0 && value >= 0 && value < logSize;
    }

    /** File position of the last indexed batch starting at or before {@code relativeOffset}; 0 when none. */
    int positionFor(long relativeOffset) {
        int i = floor(relativeOffset, false);
        return i < 0 ? 0 : value(i);
    }
}
