package dev.skiff.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The little this module knows about a record batch v2: the offsets of its 61-byte header fields and how to
 * check its CRC. Everything else in a batch is opaque to storage.
 */
public final class BatchHeader {
    public static final int BASE_OFFSET = 0;
    public static final int BATCH_LENGTH = 8;
    public static final int PARTITION_LEADER_EPOCH = 12;
    public static final int MAGIC = 16;
    public static final int CRC = 17;
    public static final int ATTRIBUTES = 21;
    public static final int LAST_OFFSET_DELTA = 23;
    public static final int BASE_TIMESTAMP = 27;
    public static final int MAX_TIMESTAMP = 35;
    public static final int PRODUCER_ID = 43;
    public static final int PRODUCER_EPOCH = 51;
    public static final int BASE_SEQUENCE = 53;
    public static final int RECORD_COUNT = 57;
    public static final int SIZE = 61;
    /** baseOffset and batchLength are not counted in batchLength. */
    public static final int LOG_OVERHEAD = 12;

    private BatchHeader() {}

    public static long baseOffset(ByteBuffer b, int at) {
        return b.getLong(at + BASE_OFFSET);
    }
    /** Whole size of the batch on disk, header included. */
    public static int totalSize(ByteBuffer b, int at) {
        return b.getInt(at + BATCH_LENGTH) + LOG_OVERHEAD;
    }

    public static byte magic(ByteBuffer b, int at) {
        return b.get(at + MAGIC);
    }

    public static int lastOffsetDelta(ByteBuffer b, int at) {
        return b.getInt(at + LAST_OFFSET_DELTA);
    }

    public static long maxTimestamp(ByteBuffer b, int at) {
        return b.getLong(at + MAX_TIMESTAMP);
    }

    public static int recordCount(ByteBuffer b, int at) {
        return b.getInt(at + RECORD_COUNT);
    }

    public static long storedCrc(ByteBuffer b, int at) {
        return b.getInt(at + CRC) & 0xFFFFFFFFL;
    }

    /** CRC32C over attributes..end of the batch that starts at {@code at} and spans {@code totalSize} bytes. */
    public static long computeCrc(ByteBuffer b, int at, int totalSize) {
        CRC32C crc = new CRC32C();
        ByteBuffer region = b.duplicate();
        region.limit(at + totalSize).position(at + ATTRIBUTES);
        crc.update(region);
        return crc.getValue();
    }

    /**
     * Checks the structure of the batch at {@code at} given {@code available} bytes from there; returns null
     * when it is sound or a short reason when not. The CRC is only checked when the whole batch is present.
     */
    public static String check(ByteBuffer b, int at, int available, boolean verifyCrc) {
        if (available < SIZE) return "only " + available + " bytes left, less than a batch header";
        int length = b.getInt(at + BATCH_LENGTH);
        if (length < SIZE - LOG_OVERHEAD) return "batch length " + length + " below the header size";
        if (length > available - LOG_OVERHEAD)
            return "batch of " + (length + LOG_OVERHEAD) + " bytes, only " + available + " left";
        if (magic(b, at) != 2) return "magic " + magic(b, at) + " is not 2";
        if (lastOffsetDelta(b, at) < 0) return "negative last offset delta";
        if (verifyCrc && computeCrc(b, at, length + LOG_OVERHEAD) != storedCrc(b, at)) return "CRC32C mismatch";
        return null;
    }
}
