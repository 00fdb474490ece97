package dev.skiff.broker.txn;

import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordIterator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions of one partition as its log tells them: which producers have a transaction open (and at
 * which offset it began) and which transactions were aborted (first offset to marker offset). From these come
 * the last stable offset and the aborted list a read_committed fetch needs.
 *
 * <p>{@code end} is the offset up to which the log has been looked at. The last stable offset never passes
 * it, so a transactional batch that is already in the log but not yet seen here can never be read as stable.
 */
public final class PartitionTransactions {

    /** An aborted transaction: its producer, its first offset and the offset of its abort marker. */
    public record Aborted(long producerId, long firstOffset, long lastOffset) {}

    private final Map<Long, Long> openByProducer = new HashMap<>();
    private final TreeMap<Long, Long> openByFirstOffset = new TreeMap<>();
    private final List<Aborted> aborted = new ArrayList<>(); // in marker order, so by lastOffset
    private long end;

    public PartitionTransactions(long end) { this.end = end; }

    /** Takes in one batch header; {@code controlType} is that of a marker (else ignored). */
    public synchronized void onBatch(long producerId, boolean transactional, boolean control, short controlType,
                                     long baseOffset, long lastOffset) {
        if (transactional && producerId >= 0) {
            if (control) {
                Long first = openByProducer.remove(producerId);
                if (first != null) {
                    openByFirstOffset.remove(first);
                    if (controlType == RecordBatchBuilder.CONTROL_ABORT) aborted.add(new Aborted(producerId, first, lastOffset));
                }
            } else if (!openByProducer.containsKey(producerId)) {
                openByProducer.put(producerId, baseOffset);
                openByFirstOffset.put(baseOffset, producerId);
            }
        }
        end = Math.max(end, lastOffset + 1);
    }

    /** Takes in batches just appended back to back in {@code batches}, the first at {@code firstOffset}. */
    public void onAppended(ByteBuffer batches, long firstOffset) {
        long offset = firstOffset;
        int pos = batches.position();
        while (batches.limit() - pos >= RecordBatch.HEADER_SIZE) {
            RecordBatch b = RecordBatch.wrap(batches, pos);
            long last = offset + b.lastOffsetDelta();
            onBatch(b.producerId(), b.isTransactional(), b.isControl(), controlType(b), offset, last);
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

    public synchronized int openCount() { return openByProducer.size(); }

    /** Aborted transactions that overlap [from, to): those a fetch of that range must be told about. */
    public synchronized List<Aborted> abortedIn(long from, long to) {
        List<Aborted> out = new ArrayList<>();
        int lo = 0, hi = aborted.size();
        while (lo < hi) { // first entry whose marker is at or after from
            int mid = (lo + hi) >>> 1;
            if (aborted.get(mid).lastOffset() < from) lo = mid + 1; else hi = mid;
        }
        for (int i = lo; i < aborted.size(); i++) {
            Aborted a = aborted.get(i);
            if (a.firstOffset() < to) out.add(a);
        }
        return out;
    }

    /** Forgets aborted transactions whose marker retention has removed. */
    public synchronized void evictBefore(long logStartOffset) {
        aborted.removeIf(a -> a.lastOffset() < logStartOffset);
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
