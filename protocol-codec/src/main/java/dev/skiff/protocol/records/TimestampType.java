package dev.skiff.protocol.records;

/** Whether a timestamp was set by the producer or by the broker on append. */
public enum TimestampType {
    /** Magic 0 messages carry no timestamp at all. */
    NO_TIMESTAMP_TYPE(-1),
    CREATE_TIME(0),
    LOG_APPEND_TIME(1);

    /** Attribute bit 3 in both magic 1 messages and v2 batches. */
    public static final int ATTRIBUTE_MASK = 0x08;

    public final int id;

    TimestampType(int id) {
        this.id = id;
    }

    static TimestampType fromAttributes(int attributes) {
        return (attributes & ATTRIBUTE_MASK) == 0 ? CREATE_TIME : LOG_APPEND_TIME;
    }
}
