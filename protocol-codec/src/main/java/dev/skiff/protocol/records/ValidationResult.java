package dev.skiff.protocol.records;

import java.util.List;

/**
 * Summary of back-to-back v2 batches that passed {@link RecordBatches#validate}.
 *
 * @param firstOffset   base offset of the first batch, as written (0 on a produce request)
 * @param lastOffset    last offset of the last batch, as written
 * @param maxTimestamp  the largest batch max timestamp, {@code -1} if none
 */
public record ValidationResult(
        List<BatchSummary> batches,
        int recordCount,
        long firstOffset,
        long lastOffset,
        long maxTimestamp,
        int sizeInBytes) {

    public int batchCount() {
        return batches.size();
    }
}
