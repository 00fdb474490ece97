package dev.skiff.protocol.records;

/** The codec ids of the low three attribute bits, shared by legacy messages and v2 batches. */
public enum CompressionType {
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    /** Only allowed in v2 batches (magic 2). */
    ZSTD(4, "zstd");

    /** Mask of the compression bits in the attributes of both formats. */
    public static final int ATTRIBUTE_MASK = 0x07;

    public final int id;
    public final String configName;

    CompressionType(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    /** The codec with this id; an unknown id is a malformed batch, not a programming error. */
    public static CompressionType forId(int id) {
        switch (id) {
            case 0:
                return NONE;
            case 1:
                return GZIP;
            case 2:
                return SNAPPY;
            case 3:
                return LZ4;
            case 4:
                return ZSTD;
            default:
                throw new InvalidRecordException("Unknown compression type id " + id);
        }
    }

    /** The codec of a topic's {@code compression.type} value ({@code producer} is not a codec). */
    public static CompressionType forName(String name) {
        for (CompressionType t : values()) {
            if (t.configName.equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("Unknown compression type " + name);
    }
}
