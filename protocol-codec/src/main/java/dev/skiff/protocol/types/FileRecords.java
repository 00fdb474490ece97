package dev.skiff.protocol.types;

import java.nio.channels.FileChannel;

/** Records that are a region of a segment file; the encoder sends them with zero copy (sendfile). */
public record FileRecords(FileChannel channel, long position, int size) implements RecordsData {
    @Override
    public int sizeInBytes() {
        return size;
    }
}
