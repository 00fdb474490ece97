package dev.skiff.protocol.records;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * What the broker needs from one validated batch without reading its records again: where it is, its offsets
 * (as written, i.e. relative on produce), timestamps and the idempotence/transaction fields.
 *
 * @param minRecordTimestamp the smallest record timestamp, {@link RecordBatch#NO_TIMESTAMP} if no record has one
 *                           or the records were not read (only {@link RecordBatches#validate} leaves them unread)
 * @param maxRecordTimestamp the largest record timestamp, likewise
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
        boolean control,
        long minRecordTimestamp,
        long maxRecordTimestamp) {

    public long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    /**
     * Kafka's produce-time timestamp rule for CreateTime batches: every record timestamp must lie within
     * {@code [now - beforeMaxMs, now + afterMaxMs]} (topic configs {@code message.timestamp.before.max.ms},
     * default {@code Long.MAX_VALUE}, and {@code message.timestamp.after.max.ms}, default 3600000). Records
     * without a timestamp and LogAppendTime batches pass. Needs a summary whose records were read
     * ({@link RecordBatches#validateProduce} or {@link RecordBatches#validateDeep}).
     *
     * @throws ApiException with INVALID_TIMESTAMP for a record outside the window
     */
    public void checkTimestamps(long now, long beforeMaxMs, long afterMaxMs) {
        if (timestampType != TimestampType.CREATE_TIME || minRecordTimestamp == RecordBatch.NO_TIMESTAMP) return;
        if (beforeMaxMs < 0 || afterMaxMs < 0) throw new IllegalArgumentException("negative timestamp window");
        // written so that no bound overflows: now >= 0 and both windows >= 0
        boolean tooOld = minRecordTimestamp < now - beforeMaxMs;
        boolean tooNew = maxRecordTimestamp > now && maxRecordTimestamp - now > afterMaxMs;
        if (tooOld || tooNew) {
            long bad = tooOld ? minRecordTimestamp : maxRecordTimestamp;
            throw new ApiException(
                    Errors.INVALID_TIMESTAMP,
                    "Timestamp " + bad + " of a record in the batch at base offset "
                            + baseOffset + " is out of range: it must be within " + beforeMaxMs + " ms before and "
                            + afterMaxMs + " ms after the broker's time " + now);
        }
    }

    static BatchSummary of(RecordBatch b, int position) {
        return new BatchSummary(
                position,
                b.sizeInBytes(),
                b.baseOffset(),
                b.lastOffsetDelta(),
                b.recordCount(),
                b.maxTimestamp(),
                b.timestampType(),
                b.compressionType(),
                b.producerId(),
                b.producerEpoch(),
                b.baseSequence(),
                b.isTransactional(),
                b.isControl(),
                RecordBatch.NO_TIMESTAMP,
                RecordBatch.NO_TIMESTAMP);
    }

    BatchSummary withRecordTimestamps(long min, long max) {
        return new BatchSummary(
                position,
                sizeInBytes,
                baseOffset,
                lastOffsetDelta,
                recordCount,
                maxTimestamp,
                timestampType,
                compression,
                producerId,
                producerEpoch,
                baseSequence,
                transactional,
                control,
                min,
                max);
    }
}
