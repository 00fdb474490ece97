package dev.skiff.broker.producer;

import dev.skiff.broker.BatchScanner;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.log.Log;
import dev.skiff.protocol.records.RecordBatch;

/**
 * Rebuilds a partition's producer state after a restart by reading only the 61-byte header of every batch
 * in its log (file logs are read header by header, never whole), so a retry that was acknowledged before the
 * restart is still recognised as a duplicate after it.
 */
public final class ProducerStateLoader {

    private ProducerStateLoader() {}

    public static ProducerStateTable load(Log log) {
        ProducerStateTable table = new ProducerStateTable();
        BatchScanner.scan(log, (b, whole) -> apply(b, table));
        return table;
    }

    private static void apply(RecordBatch b, ProducerStateTable table) {
        long producerId = b.producerId();
        if (producerId < 0) return;
        if (b.isControl()) {
            table.updateEpoch(producerId, b.producerEpoch(), b.lastOffset(), b.maxTimestamp());
        } else {
            int firstSeq = b.baseSequence();
            int lastSeq = firstSeq < 0 ? -1 : ProducerStateTable.lastSequence(firstSeq, b.lastOffsetDelta() + 1);
            table.update(
                    producerId, b.producerEpoch(), firstSeq, lastSeq, b.baseOffset(), b.lastOffset(), b.maxTimestamp());
        }
    }
}
