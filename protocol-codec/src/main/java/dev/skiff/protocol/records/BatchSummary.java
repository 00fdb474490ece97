package dev.skiff.protocol.records;

/**
 * What the broker needs from one validated batch without reading its records: where it is, its offsets
 * (as written, i.e. relative on produce), timestamps and the idempotence/transaction fields.
 */
public record BatchSummary(
        int position,
        int sizeInBytes,
        long baseOffset,
        int lastOffsetDelta,
        int recordCount,
        long maxTimestamp,
        TimestampType timestampType,
        CompressionType compression,
        long producerId,
        short producerEpoch,
        int baseSequence,
        boolean transactional,
        boolean control) {

    public long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    static BatchSummary of(RecordBatch b, int position) {
        return new BatchSummary(position, b.sizeInBytes(), b.baseOffset(), b.lastOffsetDelta(), b.recordCount(),
                b.maxTimestamp(), b.timestampType(), b.compressionType(), b.producerId(), b.producerEpoch(),
                b.baseSequence(), b.isTransactional(), b.isControl());
    }
}
