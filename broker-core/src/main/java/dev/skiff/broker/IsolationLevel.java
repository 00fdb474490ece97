package dev.skiff.broker;

/** What a read may see: everything appended, or only what lies below the last stable offset. */
public enum IsolationLevel {
    READ_UNCOMMITTED,
    READ_COMMITTED;

    /** The wire byte of Fetch v4+ and ListOffsets v2+ (0 read_uncommitted, 1 read_committed). */
    public static IsolationLevel of(byte wire) {
        return wire == 1 ? READ_COMMITTED : READ_UNCOMMITTED;
    }
}
