package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Converts between magic 0/1 message sets (Produce v0-2, Fetch v0-3) and record batches v2 (what Skiff stores).
 */
public final class LegacyConverter {
    private LegacyConverter() {}

    /**
     * Up-converts a produce request's message set into one v2 batch with base offset 0 and consecutive relative
     * offsets (the broker assigns the real ones with {@link RecordBatch#setBaseOffset}). The wrappers' codec is
     * kept when they all share one, else the batch is uncompressed.
     * <p>Timestamps: magic 1 messages keep theirs (the wrapper's when it says LOG_APPEND_TIME); magic 0 messages
     * have none and get {@code -1} (NO_TIMESTAMP), as Kafka does. The batch is CREATE_TIME; a topic with
     * LogAppendTime stamps it afterwards with {@link RecordBatch#setLogAppendTime}.
     *
     * @return the batch, or an empty buffer if the set is empty
     * @throws CorruptRecordException if a non-empty set holds no complete message, or as
     *         {@link LegacyMessageSet#read} does (also {@link InvalidRecordException})
     */
    public static ByteBuffer upConvert(ByteBuffer messageSet) {
        LegacyMessageSet set = LegacyMessageSet.read(messageSet);
        return upConvert(set, set.compression());
    }

    /**
     * Up-converts a produce request's message set whose messages, unwrapped, may take at most
     * {@code maxMessageBytes} (the topic's {@code max.message.bytes}); wrappers inflate within the request's
     * {@code budget}. See {@link LegacyMessageSet#read(ByteBuffer, int, DecompressionBudget)}.
     */
    public static ByteBuffer upConvert(ByteBuffer messageSet, int maxMessageBytes, DecompressionBudget budget) {
        LegacyMessageSet set = LegacyMessageSet.read(messageSet, maxMessageBytes, budget);
        return upConvert(set, set.compression());
    }

    /** Up-converts with a chosen codec (a topic's {@code compression.type}). */
    public static ByteBuffer upConvert(ByteBuffer messageSet, CompressionType target) {
        return upConvert(LegacyMessageSet.read(messageSet), target);
    }

    private static ByteBuffer upConvert(LegacyMessageSet set, CompressionType target) {
        List<LegacyMessage> messages = set.messages();
        if (messages.isEmpty() && set.validBytes() == 0 && set.inputBytes() > 0) {
            throw new CorruptRecordException("Message set of " + set.inputBytes() + " bytes holds no complete message");
        }
        RecordBatchBuilder builder = new RecordBatchBuilder(target, set.validBytes());
        for (LegacyMessage m : messages) {
            long timestamp = m.magic() == 0 ? RecordBatch.NO_TIMESTAMP : m.timestamp();
            builder.append(timestamp, m.key(), m.value());
        }
        return builder.build();
    }

    /**
     * Down-converts stored v2 batches for an old fetcher: one uncompressed magic 0 or 1 message per record, with
     * its absolute offset. Skips records below {@code minOffset} and control batches (transaction markers); drops
     * headers; magic 1 keeps the timestamp and its type. Stops before the set would exceed {@code maxBytes}, but
     * always includes the first message so a consumer can make progress. A torn batch at the end of the input
     * (a fetch-sized read) is ignored. Aborted transactional data is not filtered: old clients read uncommitted.
     *
     * @return the message set, possibly empty
     * @throws CorruptRecordException if a batch is not magic 2 or its records are malformed
     */
    public static ByteBuffer downConvert(ByteBuffer v2Batches, byte targetMagic, long minOffset, int maxBytes) {
        if (targetMagic != 0 && targetMagic != 1) throw new IllegalArgumentException("target magic " + targetMagic);
        LegacyMessageSetBuilder out = new LegacyMessageSetBuilder(
                targetMagic,
                CompressionType.NONE,
                Math.max(0, Math.min(maxBytes, v2Batches.remaining() + v2Batches.remaining() / 4)));
        for (RecordBatch batch : RecordBatches.batches(v2Batches)) {
            if (batch.isControl() || batch.lastOffset() < minOffset) continue;
            TimestampType type = batch.timestampType();
            try (RecordIterator records = batch.records()) {
                while (records.hasNext()) {
                    Record r = records.next();
                    if (r.offset() < minOffset) continue;
                    int size = LegacyMessageSetBuilder.sizeOf(targetMagic, r.key(), r.value());
                    if (out.count() > 0 && (long) out.sizeInBytes() + size > maxBytes) return out.build();
                    out.append(r.offset(), r.timestamp(), type, r.key(), r.value());
                }
            }
        }
        return out.build();
    }
}
