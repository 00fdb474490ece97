package dev.skiff.log;

/**
 * Per-log settings, with the meaning of Kafka's topic configs of the same names.
 *
 * @param segmentBytes        segment.bytes: roll the active segment when it would grow past this
 * @param segmentMs           segment.ms: roll the active segment when its first batch is older than this
 * @param retentionBytes      retention.bytes: delete oldest segments while the log is larger (-1: no limit)
 * @param retentionMs         retention.ms: delete segments whose newest timestamp is older (-1: no limit)
 * @param indexIntervalBytes  index.interval.bytes: bytes between two offset index entries
 * @param maxIndexBytes       segment.index.bytes: maximum size of one index file
 * @param flushIntervalMessages flush.messages: fsync after this many messages (Long.MAX_VALUE: leave it to the OS)
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        long retentionBytes,
        long retentionMs,
        int indexIntervalBytes,
        int maxIndexBytes,
        long flushIntervalMessages) {

    public static LogConfig defaults() {
        return new LogConfig(
                1 << 30, 7L * 24 * 3600 * 1000, -1, 7L * 24 * 3600 * 1000, 4096, 10 * 1024 * 1024, Long.MAX_VALUE);
    }

    public LogConfig withSegmentBytes(int v) {
        return new LogConfig(
                v, segmentMs, retentionBytes, retentionMs, indexIntervalBytes, maxIndexBytes, flushIntervalMessages);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(
                segmentBytes, v, retentionBytes, retentionMs, indexIntervalBytes, maxIndexBytes, flushIntervalMessages);
    }

    public LogConfig withRetentionBytes(long v) {
        return new LogConfig(
                segmentBytes, segmentMs, v, retentionMs, indexIntervalBytes, maxIndexBytes, flushIntervalMessages);
    }

    public LogConfig withRetentionMs(long v) {
        return new LogConfig(
                segmentBytes, segmentMs, retentionBytes, v, indexIntervalBytes, maxIndexBytes, flushIntervalMessages);
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return new LogConfig(
                segmentBytes, segmentMs, retentionBytes, retentionMs, v, maxIndexBytes, flushIntervalMessages);
    }

    public LogConfig withMaxIndexBytes(int v) {
        return new LogConfig(
                segmentBytes, segmentMs, retentionBytes, retentionMs, indexIntervalBytes, v, flushIntervalMessages);
    }

    public LogConfig withFlushIntervalMessages(long v) {
        return new LogConfig(
                segmentBytes, segmentMs, retentionBytes, retentionMs, indexIntervalBytes, maxIndexBytes, v);
    }
}
