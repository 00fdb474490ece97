package dev.skiff.protocol.records;

/**
 * Sees every record of a batch as {@link RecordBatches#validateProduce(java.nio.ByteBuffer, RecordVisitor,
 * DecompressionBudget)} reads it, so the broker can apply its per-record rules (keys on compacted topics,
 * timestamps) and collect one error per bad record, as Kafka's LogValidator does (KIP-467), without the codec
 * keeping anything per record.
 */
@FunctionalInterface
public interface RecordVisitor {

    /**
     * One record that was read whole.
     *
     * @param batch       the batch being read (timestamp type, max timestamp, control flag)
     * @param index       the record's index within its batch (Kafka's batch_index)
     * @param offset      the record's offset as written (the batch's base offset plus its offset delta)
     * @param timestamp   the batch's base timestamp plus the record's delta (raw, even in LogAppendTime batches)
     * @param keyLength   the key's length, -1 for a record without key
     * @param valueLength the value's length, -1 for a null value
     */
    void record(BatchSummary batch, int index, long offset, long timestamp, int keyLength, int valueLength);
}
