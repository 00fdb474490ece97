package dev.skiff.broker.producer;

import dev.skiff.broker.BatchScanner;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.log.Log;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordIterator;
import java.nio.ByteBuffer;

/**
 * Rebuilds a partition's producer state after a restart: from the newest producer-state snapshot that decodes
 * ({@link ProducerStateSnapshot}), then the 61-byte header of every batch after it (file logs are read header
 * by header, never whole); without a snapshot, from the start of the log. A retry acknowledged before the
 * restart is so still recognised as a duplicate after it.
 */
public final class ProducerStateLoader {

    private ProducerStateLoader() {}

    public static ProducerStateTable load(Log log) {
        return load(log, ProducerStateSnapshot.newest(log));
    }

    /** As {@link #load(Log)} from {@code snapshot} (null: from the start of the log). */
    public static ProducerStateTable load(Log log, ProducerStateSnapshot.Loaded snapshot) {
        ProducerStateTable table = new ProducerStateTable();
        long from = log.logStartOffset();
        if (snapshot != null) {
            for (ProducerStateSnapshot.Entry e : snapshot.entries()) table.restore(e.batch());
            from = snapshot.offset();
        }
        long scanned = BatchScanner.scan(log, from, (b, whole) -> apply(b, whole, table));
        table.loaded(snapshot == null ? -1 : snapshot.offset(), scanned);
        return table;
    }

    private static void apply(RecordBatch b, BatchScanner.WholeBatch whole, ProducerStateTable table) {
        long producerId = b.producerId();
        if (producerId < 0) return;
        if (b.isControl()) {
            table.updateEpoch(
                    producerId, b.producerEpoch(), coordinatorEpoch(whole.read()), b.lastOffset(), b.maxTimestamp());
        } else {
            int firstSeq = b.baseSequence();
            int lastSeq = firstSeq < 0 ? -1 : ProducerStateTable.lastSequence(firstSeq, b.lastOffsetDelta() + 1);
            table.update(
                    producerId, b.producerEpoch(), firstSeq, lastSeq, b.baseOffset(), b.lastOffset(), b.maxTimestamp());
        }
    }

    /** The coordinator epoch in a transaction marker's value (version int16, epoch int32), or -1 unreadable. */
    static int coordinatorEpoch(RecordBatch marker) {
        try (RecordIterator it = marker.records()) {
            if (!it.hasNext()) return -1;
            ByteBuffer value = it.next().value();
            return value == null || value.remaining() < 6 ? -1 : value.getInt(value.position() + 2);
        } catch (RuntimeException e) {
            return -1; // an unreadable marker fences nothing
        }
    }
}
