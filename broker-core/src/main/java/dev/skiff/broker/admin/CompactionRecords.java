package dev.skiff.broker.admin;

import dev.skiff.log.BatchHeader;
import dev.skiff.log.Cleaner;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordIterator;
import dev.skiff.protocol.records.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * What the log's {@link Cleaner} cannot do itself because it does not decode records: list the keys of a
 * batch, and rewrite a batch keeping some of its records.
 */
public final class CompactionRecords {

    private CompactionRecords() {}

    /** Every record of the batch with its key (copied: the map of latest offsets outlives the batch). */
    public static List<Cleaner.KeyedOffset> keys(ByteBuffer buffer) {
        RecordBatch batch = RecordBatch.wrap(buffer);
        List<Cleaner.KeyedOffset> out = new ArrayList<>(Math.max(0, Math.min(batch.recordCount(), 4096)));
        try (RecordIterator it = batch.records()) {
            while (it.hasNext()) {
                Record r = it.next();
                // transaction markers carry control keys, not user keys: they are always kept
                ByteBuffer key = batch.isControl() || r.key() == null ? null : ByteBuffer.wrap(Record.bytes(r.key()));
                out.add(new Cleaner.KeyedOffset(r.offset(), key, r.value() == null));
            }
        }
        return out;
    }

    /**
     * A copy of the batch with only the records whose offsets pass {@code keep}: same base offset, codec,
     * producer fields and last offset delta (so the producer's sequence state and a reader's next offset are
     * unchanged, as in Kafka), each record with its original offset and timestamp.
     */
    public static ByteBuffer rewrite(ByteBuffer buffer, LongPredicate keep) {
        RecordBatch batch = RecordBatch.wrap(buffer);
        RecordBatchBuilder b = new RecordBatchBuilder(batch.compressionType(), batch.sizeInBytes())
                .baseOffset(batch.baseOffset())
                .partitionLeaderEpoch(batch.partitionLeaderEpoch())
                .producer(batch.producerId(), batch.producerEpoch(), batch.baseSequence())
                .transactional(batch.isTransactional());
        boolean appendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
        if (appendTime) b.logAppendTime(batch.maxTimestamp());
        try (RecordIterator it = batch.records()) {
            while (it.hasNext()) {
                Record r = it.next();
                if (keep.test(r.offset()))
                    b.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            }
        }
        if (b.recordCount() == 0) return null;
        ByteBuffer out = b.build();
        out.putInt(BatchHeader.LAST_OFFSET_DELTA, batch.lastOffsetDelta());
        out.putInt(BatchHeader.CRC, (int) RecordBatch.wrap(out, 0).computeCrc());
        return out;
    }
}
