package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Writes a magic 0 or 1 message set. Uncompressed, each message keeps the offset it is given. Compressed, the
 * messages go into one wrapper message as Kafka wrote them: magic 0 inner offsets absolute, magic 1 inner
 * offsets relative (0, 1, ...) with the wrapper carrying the absolute offset of the last one and the max
 * timestamp.
 */
public final class LegacyMessageSetBuilder {
    private final byte magic;
    private final CompressionType compression;
    private final ByteBufferOutputStream out;
    private long firstOffset = -1;
    private long lastOffset = -1;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private int count;

    public LegacyMessageSetBuilder(byte magic, CompressionType compression, int expectedSize) {
        if (magic != 0 && magic != 1) throw new IllegalArgumentException("magic " + magic);
        if (compression == CompressionType.ZSTD) throw new IllegalArgumentException("zstd needs magic 2");
        this.magic = magic;
        this.compression = compression;
        this.out = new ByteBufferOutputStream(expectedSize);
    }

    /** Bytes one uncompressed message takes in a set, offset and size fields included. */
    public static int sizeOf(byte magic, ByteBuffer key, ByteBuffer value) {
        return LegacyFormat.LOG_OVERHEAD
                + LegacyFormat.minSize(magic)
                + (key == null ? 0 : key.remaining())
                + (value == null ? 0 : value.remaining());
    }

    /** Bytes written so far (uncompressed: the size of the set). */
    public int sizeInBytes() {
        return out.position();
    }

    public int count() {
        return count;
    }

    /** Appends a message with CREATE_TIME (the timestamp is dropped for magic 0). */
    public LegacyMessageSetBuilder append(long offset, long timestamp, ByteBuffer key, ByteBuffer value) {
        return append(offset, timestamp, TimestampType.CREATE_TIME, key, value);
    }

    public LegacyMessageSetBuilder append(
            long offset, long timestamp, TimestampType type, ByteBuffer key, ByteBuffer value) {
        if (count == 0) firstOffset = offset;
        // magic 1 wrappers number their inner messages from 0
        long written = compression != CompressionType.NONE && magic == 1 ? offset - firstOffset : offset;
        writeMessage(
                out,
                written,
                magic,
                compression == CompressionType.NONE ? type : TimestampType.CREATE_TIME,
                timestamp,
                CompressionType.NONE,
                key,
                value);
        lastOffset = offset;
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        count++;
        return this;
    }

    /** The message set; compressed, a single wrapper message. */
    public ByteBuffer build() {
        if (compression == CompressionType.NONE || count == 0) return out.toBuffer();
        ByteBuffer inner = out.toBuffer();
        ByteBufferOutputStream compressed = new ByteBufferOutputStream(inner.remaining() / 2 + 64);
        try (OutputStream os = Compression.wrapForOutput(compression, compressed, magic)) {
            os.write(inner.array(), 0, inner.limit());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBufferOutputStream wrapper = new ByteBufferOutputStream(compressed.position() + 64);
        writeMessage(
                wrapper,
                lastOffset,
                magic,
                TimestampType.CREATE_TIME,
                maxTimestamp,
                compression,
                null,
                compressed.toBuffer());
        return wrapper.toBuffer();
    }

    static void writeMessage(
            ByteBufferOutputStream out,
            long offset,
            byte magic,
            TimestampType type,
            long timestamp,
            CompressionType codec,
            ByteBuffer key,
            ByteBuffer value) {
        int total = sizeOf(magic, key, value);
        out.ensureRemaining(total);
        ByteBuffer b = out.buffer();
        int start = b.position();
        int attributes =
                codec.id | (magic == 1 && type == TimestampType.LOG_APPEND_TIME ? TimestampType.ATTRIBUTE_MASK : 0);
        b.putLong(offset)
                .putInt(total - LegacyFormat.LOG_OVERHEAD)
                .putInt(0)
                .put(magic)
                .put((byte) attributes);
        if (magic == 1) b.putLong(timestamp);
        putBytes(b, key);
        putBytes(b, value);
        CRC32 crc = new CRC32();
        crc.update(b.array(), start + LegacyFormat.MAGIC_OFFSET, total - LegacyFormat.MAGIC_OFFSET);
        b.putInt(start + LegacyFormat.CRC_OFFSET, (int) crc.getValue());
    }

    private static void putBytes(ByteBuffer b, ByteBuffer src) {
        if (src == null) {
            b.putInt(-1);
        } else {
            b.putInt(src.remaining());
            b.put(src.duplicate());
        }
    }
}
