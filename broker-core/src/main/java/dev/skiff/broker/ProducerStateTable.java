package dev.skiff.broker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent-producer state of one partition: per producer id its epoch and the last five batches
 * (sequence ranges and the offsets they got), as Kafka keeps them. A retried batch that matches one of them
 * is acknowledged again with its first offset instead of being appended twice.
 */
public final class ProducerStateTable {

    static final int BATCHES_KEPT = 5;

    /** What to do with an incoming batch. */
    public sealed interface Verdict permits Append, Duplicate, Reject {}

    public record Append() implements Verdict {}

    public record Duplicate(long firstOffset) implements Verdict {}

    /** errorCode is Kafka's: OUT_OF_ORDER_SEQUENCE_NUMBER (45) or INVALID_PRODUCER_EPOCH (47). */
    public record Reject(short errorCode, String message) implements Verdict {}

    private record BatchEntry(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {}

    private static final class ProducerEntry {
        short epoch;
        final ArrayDeque<BatchEntry> batches = new ArrayDeque<>(BATCHES_KEPT);
        long lastTimestamp;
    }

    private final Map<Long, ProducerEntry> producers = new HashMap<>();

    /** Decides on a batch with producer id, epoch and sequences; call under the partition's append lock. */
    public synchronized Verdict check(long producerId, short epoch, int firstSeq, int recordCount) {
        if (producerId < 0 || firstSeq < 0) return new Append();
        ProducerEntry e = producers.get(producerId);
        if (e == null) return new Append();
        if (epoch < e.epoch) {
            return new Reject((short) 47, "Producer epoch " + epoch + " is older than the current " + e.epoch);
        }
        if (epoch > e.epoch) return new Append();
        int lastSeq = lastSequence(firstSeq, recordCount);
        for (BatchEntry b : e.batches) {
            if (b.firstSeq == firstSeq && b.lastSeq == lastSeq) return new Duplicate(b.firstOffset);
        }
        BatchEntry last = e.batches.peekLast();
        if (last != null && firstSeq != nextSequence(last.lastSeq)) {
            return new Reject((short) 45, "Expected sequence " + nextSequence(last.lastSeq) + " but got " + firstSeq);
        }
        return new Append();
    }

    /** Records an appended batch. */
    public synchronized void update(long producerId, short epoch, int firstSeq, int recordCount, long firstOffset,
                                    long timestamp) {
        if (producerId < 0) return;
        ProducerEntry e = producers.computeIfAbsent(producerId, id -> new ProducerEntry());
        if (epoch != e.epoch) {
            e.batches.clear();
            e.epoch = epoch;
        }
        e.lastTimestamp = timestamp;
        if (firstSeq < 0) return;
        if (e.batches.size() == BATCHES_KEPT) e.batches.removeFirst();
        e.batches.addLast(new BatchEntry(firstSeq, lastSequence(firstSeq, recordCount), firstOffset,
                firstOffset + recordCount - 1));
    }

    public synchronized int size() { return producers.size(); }

    /** Active producers (DescribeProducers): id, epoch, last sequence, last timestamp. */
    public synchronized java.util.List<long[]> describe() {
        java.util.List<long[]> out = new java.util.ArrayList<>();
        producers.forEach((id, e) -> {
            BatchEntry last = e.batches.peekLast();
            out.add(new long[] {id, e.epoch, last == null ? -1 : last.lastSeq, e.lastTimestamp,
                    last == null ? -1 : last.lastOffset});
        });
        return out;
    }

    private static int lastSequence(int firstSeq, int count) {
        long last = (long) firstSeq + count - 1;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    private static int nextSequence(int seq) { return seq == Integer.MAX_VALUE ? 0 : seq + 1; }
}
