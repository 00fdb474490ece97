package dev.skiff.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Idempotent-producer state of one partition: per producer id its epoch and the last five batches
 * (sequence ranges and the offsets they got), as Kafka keeps them. A retried batch that matches one of them
 * is acknowledged again with its first offset instead of being appended twice.
 *
 * <p>The rules follow Kafka 4's broker: duplicates are looked for first (same epoch, same sequence range);
 * an older epoch is INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0; within an epoch the
 * sequence must follow the last one; a producer the partition does not know may start anywhere.
 * Callers check and update under the partition's append lock, so the pair is atomic with the append.
 */
public final class ProducerStateTable {

    static final int BATCHES_KEPT = 5;

    /** What to do with an incoming batch. */
    public sealed interface Verdict permits Append, Duplicate, Reject {}

    public record Append() implements Verdict {}

    public record Duplicate(long firstOffset, long lastOffset) implements Verdict {
        public Duplicate(long firstOffset) {
            this(firstOffset, firstOffset);
        }
    }

    /** errorCode is Kafka's: OUT_OF_ORDER_SEQUENCE_NUMBER (45) or INVALID_PRODUCER_EPOCH (47). */
    public record Reject(short errorCode, String message) implements Verdict {}

    /** One producer as DescribeProducers reports it ({@code coordinatorEpoch} -1 until a marker was written). */
    public record ProducerInfo(
            long producerId,
            short epoch,
            int lastSequence,
            long lastTimestamp,
            long lastOffset,
            int coordinatorEpoch) {}

    private record BatchEntry(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {}

    private static final class ProducerEntry {
        short epoch = -1;
        final ArrayDeque<BatchEntry> batches = new ArrayDeque<>(BATCHES_KEPT);
        long lastTimestamp = -1;
        long lastOffset = -1;
        int coordinatorEpoch = -1;
    }

    private static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
    private static final short INVALID_PRODUCER_EPOCH = 47;
    private static final short TRANSACTION_COORDINATOR_FENCED = 52;

    private final Map<Long, ProducerEntry> producers = new HashMap<>();

    /** Decides on a batch by its producer fields and sequence range. */
    public synchronized Verdict check(long producerId, short epoch, int firstSeq, int lastSeq) {
        if (producerId < 0) return new Append();
        ProducerEntry e = producers.get(producerId);
        if (e == null) return new Append();
        if (epoch == e.epoch) {
            for (BatchEntry b : e.batches) {
                if (b.firstSeq == firstSeq && b.lastSeq == lastSeq) return new Duplicate(b.firstOffset, b.lastOffset);
            }
        }
        if (epoch < e.epoch) {
            return new Reject(
                    INVALID_PRODUCER_EPOCH,
                    "Epoch of producer " + producerId + " at offset " + e.lastOffset + " is " + epoch
                            + ", which is smaller than the last seen epoch " + e.epoch);
        }
        if (epoch > e.epoch) {
            if (firstSeq != 0 && e.epoch >= 0) {
                return new Reject(
                        OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "Invalid sequence number for new epoch of producer "
                                + producerId + ": " + epoch + " (request epoch), " + firstSeq + " (seq. number), "
                                + e.epoch + " (current producer epoch)");
            }
            return new Append();
        }
        BatchEntry last = e.batches.peekLast();
        if (last != null && firstSeq != nextSequence(last.lastSeq)) {
            return new Reject(
                    OUT_OF_ORDER_SEQUENCE_NUMBER,
                    "Out of order sequence number for producer " + producerId + ": " + firstSeq
                            + " (incoming seq. number), " + last.lastSeq + " (current end sequence number)");
        }
        return new Append();
    }

    /** Records an appended batch (also used when rebuilding from the log). */
    public synchronized void update(
            long producerId,
            short epoch,
            int firstSeq,
            int lastSeq,
            long firstOffset,
            long lastOffset,
            long timestamp) {
        if (producerId < 0) return;
        ProducerEntry e = advance(producerId, epoch, lastOffset, timestamp);
        if (firstSeq < 0) return;
        if (e.batches.size() == BATCHES_KEPT) e.batches.removeFirst();
        e.batches.addLast(new BatchEntry(firstSeq, lastSeq, firstOffset, lastOffset));
    }

    /** A control batch (transaction marker) moves the epoch forward but carries no sequence. */
    public synchronized void updateEpoch(long producerId, short epoch, long offset, long timestamp) {
        if (producerId >= 0) advance(producerId, epoch, offset, timestamp);
    }

    /**
     * A transaction marker written by the coordinator of {@code coordinatorEpoch}: as {@link #updateEpoch}, and
     * the producer remembers the highest coordinator epoch that wrote one (Kafka's entry keeps the last, which
     * its check keeps from going down).
     */
    public synchronized void updateEpoch(
            long producerId, short epoch, int coordinatorEpoch, long offset, long timestamp) {
        if (producerId < 0) return;
        ProducerEntry e = advance(producerId, epoch, offset, timestamp);
        e.coordinatorEpoch = Math.max(e.coordinatorEpoch, coordinatorEpoch);
    }

    /**
     * Kafka's checks of a transaction marker a WriteTxnMarkers request brings (its ProducerAppendInfo): an epoch
     * older than the producer's is INVALID_PRODUCER_EPOCH, then a coordinator epoch older than the last that
     * wrote a marker for it is TRANSACTION_COORDINATOR_FENCED; null when the marker may be written.
     */
    public synchronized Reject checkMarker(long producerId, short epoch, int coordinatorEpoch) {
        ProducerEntry e = producers.get(producerId);
        if (e == null) return null;
        if (epoch < e.epoch)
            return new Reject(
                    INVALID_PRODUCER_EPOCH,
                    "Epoch of producer " + producerId + " is " + epoch + ", which is smaller than the last seen epoch "
                            + e.epoch);
        if (e.coordinatorEpoch > coordinatorEpoch)
            return new Reject(
                    TRANSACTION_COORDINATOR_FENCED,
                    "Invalid coordinator epoch for producerId " + producerId + ": " + coordinatorEpoch + " (zombie), "
                            + e.coordinatorEpoch + " (current)");
        return null;
    }

    /** The producer's entry moved to this epoch (a new epoch forgets the old one's batches), offset and time. */
    private ProducerEntry advance(long producerId, short epoch, long offset, long timestamp) {
        ProducerEntry e = producers.computeIfAbsent(producerId, id -> new ProducerEntry());
        if (epoch != e.epoch) {
            e.batches.clear();
            e.epoch = epoch;
        }
        e.lastTimestamp = Math.max(e.lastTimestamp, timestamp);
        e.lastOffset = offset;
        return e;
    }

    /** Forgets producers whose last batch is gone (below the log start offset); they may start again anywhere. */
    public synchronized int evict(long logStartOffset) {
        int before = producers.size();
        producers.values().removeIf(e -> e.lastOffset < logStartOffset);
        return before - producers.size();
    }

    /**
     * Forgets producers whose last batch is older than {@code expireBeforeTimestamp}, except those {@code keep}
     * names (a producer with an open transaction); returns how many went.
     */
    public synchronized int expire(long expireBeforeTimestamp, LongPredicate keep) {
        int before = producers.size();
        producers
                .entrySet()
                .removeIf(e -> e.getValue().lastTimestamp < expireBeforeTimestamp && !keep.test(e.getKey()));
        return before - producers.size();
    }

    public synchronized int size() {
        return producers.size();
    }

    /**
     * One batch a producer has in this table, as a snapshot keeps it ({@code firstSeq} -1 for a producer known
     * only by its epoch, such as after a transaction marker). A producer's entries come oldest batch first.
     * {@code coordinatorEpoch}: of the last coordinator that wrote a marker for it, -1 for none.
     */
    public record SnapshotEntry(
            long producerId,
            short epoch,
            int firstSeq,
            int lastSeq,
            long firstOffset,
            long lastOffset,
            long timestamp,
            int coordinatorEpoch) {

        public SnapshotEntry(
                long producerId,
                short epoch,
                int firstSeq,
                int lastSeq,
                long firstOffset,
                long lastOffset,
                long timestamp) {
            this(producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, timestamp, -1);
        }
    }

    /** Every producer's kept batches (or its epoch alone), for a snapshot. */
    public synchronized List<SnapshotEntry> snapshotEntries() {
        List<SnapshotEntry> out = new ArrayList<>();
        producers.forEach((id, e) -> {
            if (e.batches.isEmpty()) {
                out.add(new SnapshotEntry(
                        id, e.epoch, -1, -1, e.lastOffset, e.lastOffset, e.lastTimestamp, e.coordinatorEpoch));
            } else {
                for (BatchEntry b : e.batches) {
                    out.add(new SnapshotEntry(
                            id,
                            e.epoch,
                            b.firstSeq,
                            b.lastSeq,
                            b.firstOffset,
                            b.lastOffset,
                            e.lastTimestamp,
                            e.coordinatorEpoch));
                }
            }
        });
        return out;
    }

    /** Takes in an entry read from a snapshot, as {@link #update} or {@link #updateEpoch} would. */
    public synchronized void restore(SnapshotEntry e) {
        if (e.producerId() < 0 || e.epoch() < 0) return;
        if (e.firstSeq() < 0)
            updateEpoch(e.producerId(), e.epoch(), e.coordinatorEpoch(), e.lastOffset(), e.timestamp());
        else {
            update(
                    e.producerId(),
                    e.epoch(),
                    e.firstSeq(),
                    e.lastSeq(),
                    e.firstOffset(),
                    e.lastOffset(),
                    e.timestamp());
            producers.get(e.producerId()).coordinatorEpoch =
                    Math.max(producers.get(e.producerId()).coordinatorEpoch, e.coordinatorEpoch());
        }
    }

    private long loadedFromSnapshot = -1;
    private long batchesScannedAtLoad;

    /** How this table was built: from the snapshot at {@code snapshotOffset} (-1: none), then scanning batches. */
    public synchronized void loaded(long snapshotOffset, long batchesScanned) {
        this.loadedFromSnapshot = snapshotOffset;
        this.batchesScannedAtLoad = batchesScanned;
    }

    /** The offset of the snapshot this table was loaded from, or -1 when it was built by a scan from the start. */
    public synchronized long loadedFromSnapshot() {
        return loadedFromSnapshot;
    }

    /** How many batch headers the load read from the log (after the snapshot, if any). */
    public synchronized long batchesScannedAtLoad() {
        return batchesScannedAtLoad;
    }

    /** Active producers (DescribeProducers). */
    public synchronized List<ProducerInfo> producers() {
        List<ProducerInfo> out = new ArrayList<>(producers.size());
        producers.forEach((id, e) -> {
            BatchEntry last = e.batches.peekLast();
            out.add(new ProducerInfo(
                    id, e.epoch, last == null ? -1 : last.lastSeq, e.lastTimestamp, e.lastOffset, e.coordinatorEpoch));
        });
        return out;
    }

    /** The sequence after {@code firstSeq} for a batch of {@code count} records, wrapping as Kafka does. */
    public static int lastSequence(int firstSeq, int count) {
        long last = (long) firstSeq + count - 1;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    private static int nextSequence(int seq) {
        return seq == Integer.MAX_VALUE ? 0 : seq + 1;
    }
}
