package dev.skiff.log;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The ordered, append-only record log of one partition. It stores Kafka record batches (magic 2) exactly as
 * they arrive and serves them back as byte ranges; it never looks inside a batch beyond its 61-byte header.
 *
 * <p>Thread model: one appender at a time (the caller serialises appends per partition); reads may run
 * concurrently with an append and only ever see whole, fully written batches.
 */
public interface Log extends AutoCloseable {

    /** First offset still kept (advanced by retention and {@link #deleteRecordsBefore}). */
    long logStartOffset();

    /** The offset the next appended record gets. */
    long logEndOffset();

    /**
     * Appends one or more v2 record batches laid back to back between the buffer's position and limit. Each
     * batch's base offset is rewritten to the next free offset (the batch CRC does not cover it, so it stays
     * valid). The caller has validated the batches. Returns the offsets assigned.
     *
     * @throws LogStorageException when the write fails (disk full, I/O error); nothing is appended then
     */
    AppendInfo append(ByteBuffer batches);

    /**
     * Reads whole batches starting with the batch that contains {@code offset}, up to {@code maxBytes}; if
     * the first batch alone is larger than maxBytes it is returned whole anyway when {@code minOneBatch}.
     * An offset equal to the log end offset returns an empty slice.
     *
     * @throws OffsetOutOfRangeException when offset is below the log start or above the log end offset
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch);

    /**
     * The first offset whose batch max timestamp is at or after {@code timestamp}, with that timestamp, or
     * null when no such batch exists.
     */
    TimestampOffset offsetForTimestamp(long timestamp);

    /** The largest timestamp in the log and the offset of the batch that holds it, or null when empty. */
    TimestampOffset maxTimestamp();

    /**
     * Records an aborted transaction in the index of the segment that holds its abort marker
     * ({@code txn.lastOffset()}); it is dropped with that segment. Ignored when the marker is already gone.
     *
     * @throws LogStorageException when the index cannot be written
     */
    void appendAbortedTransaction(AbortedTxn txn);

    /**
     * The recorded aborted transactions overlapping [fromOffset, toOffset): marker at or after fromOffset,
     * first offset before toOffset. Searches the segment holding fromOffset and all later ones.
     */
    List<AbortedTxn> abortedTransactions(long fromOffset, long toOffset);

    /** Base offsets of all segments, oldest first (ListOffsets v0 answers with these). */
    List<Long> segmentBaseOffsets();

    /** Last-modified times of all segments in millis, oldest first, parallel to {@link #segmentBaseOffsets()}. */
    List<Long> segmentLastModified();

    /** Moves the log start offset forward (DeleteRecords); whole segments below it are deleted. */
    void deleteRecordsBefore(long offset);

    /** Applies size and time retention and rolls an aged active segment; returns the number of segments removed. */
    int applyRetention(long nowMs);

    /**
     * Applies new settings (a topic's configs were altered): segment size and age govern the next roll,
     * retention the next pass. Segments already written keep their files as they are.
     */
    void reconfigure(LogConfig config);

    /** Forces written data to disk. */
    void flush();

    /** The offset below which everything of this log is on disk: a flush is due while it is below the end. */
    default long recoveryPoint() {
        return logEndOffset();
    }

    /** Size of all segments in bytes. */
    long sizeInBytes();

    /** Deletes every file of this log (topic deletion). The log is closed afterwards. */
    void delete();

    @Override
    void close();

    /**
     * Appends as the leader of {@code leaderEpoch}: stamps the epoch into every batch's partition leader
     * epoch field (outside the CRC), appends as {@link #append}, and starts the epoch in the leader epoch
     * cache at the first offset appended when it is new.
     */
    default AppendInfo appendAsLeader(ByteBuffer batches, int leaderEpoch) {
        int end = batches.limit();
        for (int at = batches.position(); at + BatchHeader.SIZE <= end; ) {
            int size = BatchHeader.totalSize(batches, at);
            if (size < BatchHeader.SIZE) break; // append refuses it
            batches.putInt(at + BatchHeader.PARTITION_LEADER_EPOCH, leaderEpoch);
            at += size;
        }
        AppendInfo info = append(batches);
        if (info.batches() > 0) leaderEpochCache().assign(leaderEpoch, info.firstOffset());
        return info;
    }

    /**
     * Appends batches copied from the leader as they are: offsets and leader epochs kept, the epoch cache
     * learning each new epoch. The first batch must start at or after the log end offset.
     *
     * @throws IllegalArgumentException when the batches are malformed or their offsets go backwards
     * @throws LogStorageException when the write fails; nothing is appended then
     */
    AppendInfo appendAsFollower(ByteBuffer batches);

    /**
     * Removes every batch that holds an offset at or after {@code offset} (a batch is kept or removed whole,
     * so the log end may land below {@code offset}), and the epochs that began there. No-op at or above the
     * log end; at or below the start of the first segment the log is emptied and starts at {@code offset}.
     */
    void truncateTo(long offset);

    /** Deletes every batch and epoch; the log is empty and starts (and ends) at {@code offset}. */
    void truncateFullyAndStartAt(long offset);

    /** The epochs of this log and where each began (persisted with the log when it has a directory). */
    LeaderEpochCache leaderEpochCache();

    /**
     * Calls {@code listener} with the new segment's base offset each time the log rolls, under the log's lock
     * and on the rolling thread (an appender, or retention), before anything is written to the new segment.
     * The broker writes its producer-state snapshot for that offset there. One listener; null removes it.
     */
    default void onRoll(LongConsumer listener) {}

    /**
     * Offsets of the producer-state snapshots kept with this log, oldest first, each within
     * [log start, log end] (Kafka's {@code <offset>.snapshot} files; none for an in-memory log).
     */
    default List<Long> producerSnapshotOffsets() {
        return List.of();
    }

    /** The bytes of the snapshot at {@code offset}, or null when it cannot be read (missing, oversized). */
    default ByteBuffer readProducerSnapshot(long offset) {
        return null;
    }

    /**
     * Keeps {@code state} as the producer-state snapshot covering every batch below {@code offset} (ignored
     * outside [log start, log end] or on failure, with a warning: a snapshot only shortens a later load).
     * Older snapshots beyond the last few are dropped.
     */
    default void writeProducerSnapshot(long offset, ByteBuffer state) {}

    /** What OffsetForLeaderEpoch answers for {@code epoch}: see {@link LeaderEpochCache#endOffsetFor}. */
    default EpochEndOffset endOffsetForEpoch(int epoch) {
        return leaderEpochCache().endOffsetFor(epoch, logEndOffset());
    }

    /** A leader epoch and the offset where it ends (the next epoch's start, or the log end). */
    record EpochEndOffset(int epoch, long endOffset) {
        public static final EpochEndOffset UNDEFINED =
                new EpochEndOffset(LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_OFFSET);
    }

    /** Offsets assigned by one append. */
    record AppendInfo(long firstOffset, long lastOffset, long maxTimestamp, int batches) {}

    /** A timestamp and the offset it belongs to. */
    record TimestampOffset(long timestamp, long offset) {}

    /** Thrown for an out of range read; carries the log's bounds. */
    final class OffsetOutOfRangeException extends RuntimeException {
        public OffsetOutOfRangeException(String message) {
            super(message);
        }
    }
}
