package dev.skiff.broker.txn;

import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordIterator;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The open transactions of one partition as its log tells them: which producers have a transaction open and
 * at which offset it began, from which comes the last stable offset. Aborted transactions are not kept here:
 * each abort goes to the log's per-segment index ({@link Log#appendAbortedTransaction}), which read_committed
 * fetches ask and retention trims with its segments.
 *
 * <p>{@code end} is the offset up to which the log has been looked at. The last stable offset never passes
 * it, so a transactional batch that is already in the log but not yet seen here can never be read as stable.
 */
public final class PartitionTransactions {

    private final Map<Long, Long> openByProducer = new HashMap<>();
    private final TreeMap<Long, Long> openByFirstOffset = new TreeMap<>();
    private final Log log;
    private long end;

    public PartitionTransactions(Log log, long end) {
        this.log = log;
        this.end = end;
    }

    /**
     * Takes in one batch header; {@code controlType} is that of a marker (else ignored). Returns the aborted
     * transaction an abort marker ends (for the caller to index), else null.
     */
    public synchronized AbortedTxn onBatch(
            long producerId,
            boolean transactional,
            boolean control,
            short controlType,
            long baseOffset,
            long lastOffset) {
        AbortedTxn aborted = null;
        end = Math.max(end, lastOffset + 1);
        if (transactional && producerId >= 0) {
            if (control) {
                Long first = openByProducer.remove(producerId);
                if (first != null) {
                    openByFirstOffset.remove(first);
                    if (controlType == RecordBatchBuilder.CONTROL_ABORT) {
                        // the last stable offset just after the marker, whatever was seen beyond it
                        long stable = openByFirstOffset.isEmpty()
                                ? lastOffset + 1
                                : Math.min(lastOffset + 1, openByFirstOffset.firstKey());
                        aborted = new AbortedTxn(producerId, first, lastOffset, stable);
                    }
                }
            } else if (!openByProducer.containsKey(producerId)) {
                openByProducer.put(producerId, baseOffset);
                openByFirstOffset.put(baseOffset, producerId);
            }
        }
        return aborted;
    }

    /**
     * Takes in batches just appended back to back in {@code batches}, the first at {@code firstOffset}; aborts
     * go to the log's index. Called under the partition's append lock, so entries follow marker order.
     */
    public void onAppended(ByteBuffer batches, long firstOffset) {
        long offset = firstOffset;
        int pos = batches.position();
        while (batches.limit() - pos >= RecordBatch.HEADER_SIZE) {
            RecordBatch b = RecordBatch.wrap(batches, pos);
            long last = offset + b.lastOffsetDelta();
            AbortedTxn aborted =
                    onBatch(b.producerId(), b.isTransactional(), b.isControl(), controlType(b), offset, last);
            if (aborted != null) log.appendAbortedTransaction(aborted);
            offset = last + 1;
            pos += b.sizeInBytes();
        }
    }

    /** The first offset of the earliest open transaction, else the end of what was seen (the high watermark). */
    public synchronized long lastStableOffset() {
        return openByFirstOffset.isEmpty() ? end : Math.min(end, openByFirstOffset.firstKey());
    }

    /** The first offset of the producer's open transaction here, or -1. */
    public synchronized long openTransactionStart(long producerId) {
        Long first = openByProducer.get(producerId);
        return first == null ? -1 : first;
    }

    public synchronized int openCount() {
        return openByProducer.size();
    }

    /** The open transactions: producer id to the first offset of its transaction here (for a snapshot). */
    public synchronized Map<Long, Long> openTransactions() {
        return new HashMap<>(openByProducer);
    }

    /** Starts with an open transaction read from a producer-state snapshot (before the log after it is read). */
    public synchronized void restoreOpen(long producerId, long firstOffset) {
        Long before = openByProducer.put(producerId, firstOffset);
        if (before != null) openByFirstOffset.remove(before);
        openByFirstOffset.put(firstOffset, producerId);
    }

    /** The control type of a transaction marker batch, or -1 for any other batch. */
    static short controlType(RecordBatch b) {
        if (!b.isControl()) return -1;
        try (RecordIterator it = b.records()) {
            if (!it.hasNext()) return -1;
            Record r = it.next();
            return RecordBatchBuilder.controlType(r);
        } catch (RuntimeException e) {
            return -1; // an unreadable control record ends nothing
        }
    }
}
