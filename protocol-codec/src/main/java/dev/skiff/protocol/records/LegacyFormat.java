package dev.skiff.protocol.records;

/**
 * Layout of magic 0 and 1 messages:
 * <pre>
 * offset int64 | size int32 | crc uint32 | magic int8 | attributes int8 | [timestamp int64, magic 1] |
 * key bytes (int32 length, -1 = null) | value bytes (int32 length, -1 = null)
 * </pre>
 * The CRC32 covers magic to the end; {@code size} counts from the CRC on.
 */
final class LegacyFormat {
    static final int OFFSET_OFFSET = 0;
    static final int SIZE_OFFSET = 8;
    /** Offset and size fields in front of every message. */
    static final int LOG_OVERHEAD = 12;

    static final int CRC_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int ATTRIBUTES_OFFSET = 17;
    static final int TIMESTAMP_OFFSET = 18;

    /** crc, magic, attributes, key length, value length. */
    static final int MIN_SIZE_V0 = 14;
    /** v0 plus the timestamp. */
    static final int MIN_SIZE_V1 = 22;

    private LegacyFormat() {}

    static int minSize(byte magic) {
        return magic == 0 ? MIN_SIZE_V0 : MIN_SIZE_V1;
    }

    static int keySizeOffset(byte magic) {
        return magic == 0 ? TIMESTAMP_OFFSET : TIMESTAMP_OFFSET + 8;
    }
}
