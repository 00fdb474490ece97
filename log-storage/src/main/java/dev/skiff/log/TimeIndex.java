package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@code .timeindex}: 8-byte timestamp, 4-byte relative offset. Each entry is the segment's largest timestamp
 * so far and the batch holding it, so every batch before that offset has a smaller or equal timestamp.
 */
final class TimeIndex extends IndexFile {
    static final int ENTRY = 12;

    TimeIndex(Path path, OpenFiles files, int maxIndexBytes) throws IOException {
        super(path, files, ENTRY, maxIndexBytes);
    }

    @Override
    void encode(ByteBuffer out, long key, int value) {
        out.putLong(key).putInt(value);
    }

    @Override
    long decodeKey(ByteBuffer in) {
        return in.getLong();
    }

    @Override
    int decodeValue(ByteBuffer in) {
        return in.getInt();
    }

    @Override
    boolean plausible(long key, int value, int logSize) {
        return value >= 0;
    }

    /**
     * Relative offset from which a scan for the first batch with max timestamp >= {@code timestamp} may start:
     * the entry just below the timestamp proves all batches before its offset are too old.
     */
    long scanStartFor(long timestamp) {
        int i = floor(timestamp, true);
        return i < 0 ? 0 : value(i);
    }
}
