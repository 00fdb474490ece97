package dev.skiff.log;

import java.util.function.BiPredicate;

/** The deletion rules of retention, each a predicate over (segment, next segment or null when active). */
final class Retention {
    private Retention() {}

    /** retention.ms: the segment's newest timestamp (or mtime) is older than the limit. */
    static BiPredicate<Segment, Segment> byTime(long retentionMs, long nowMs) {
        return (segment, next) -> retentionMs >= 0 && nowMs - segment.largestTimestamp() > retentionMs;
    }

    /** retention.bytes: oldest segments while the log stays at or above the limit without them. */
    static BiPredicate<Segment, Segment> bySize(long retentionBytes, long logSize) {
        long[] excess = {retentionBytes < 0 ? -1 : logSize - retentionBytes};
        return (segment, next) -> {
            if (excess[0] - segment.size() < 0) return false;
            excess[0] -= segment.size();
            return true;
        };
    }

    /** Segments wholly below the log start offset (after DeleteRecords). */
    static BiPredicate<Segment, Segment> belowStart(long logStartOffset) {
        return (segment, next) -> next != null && next.baseOffset <= logStartOffset;
    }
}
