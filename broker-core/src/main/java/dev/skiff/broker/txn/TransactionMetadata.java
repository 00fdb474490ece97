package dev.skiff.broker.txn;

import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One transactional id's state at one moment. Immutable: a transition builds the next value, writes it to the
 * transaction log and only then replaces the current one, so what clients were told is always on disk.
 *
 * @param lastProducerEpoch the epoch before the last bump (-1 if none), accepted from a producer retrying its
 *                          InitProducerId
 * @param offsets           offsets committed in the ongoing transaction per group (the groups added by
 *                          AddOffsetsToTxn, possibly with none yet); stored in the group's store on commit
 */
public record TransactionMetadata(
        String transactionalId,
        long producerId,
        short producerEpoch,
        short lastProducerEpoch,
        int timeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        Map<String, Map<TopicPartition, CommittedOffset>> offsets,
        long startTimeMs,
        long lastUpdateTimeMs) {

    public TransactionMetadata {
        partitions = Set.copyOf(new LinkedHashSet<>(partitions));
        Map<String, Map<TopicPartition, CommittedOffset>> copy = new LinkedHashMap<>();
        offsets.forEach((g, m) -> copy.put(g, Map.copyOf(m)));
        offsets = Map.copyOf(copy);
    }

    public static TransactionMetadata fresh(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TransactionMetadata(
                transactionalId,
                producerId,
                (short) 0,
                (short) -1,
                timeoutMs,
                TransactionState.EMPTY,
                Set.of(),
                Map.of(),
                -1,
                now);
    }

    public TransactionMetadata withState(TransactionState s, long now) {
        return new TransactionMetadata(
                transactionalId,
                producerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                s,
                partitions,
                offsets,
                startTimeMs,
                now);
    }

    /** A new epoch (and possibly a new producer id when the epoch ran out), no transaction. */
    public TransactionMetadata withProducer(long id, short epoch, short lastEpoch, int timeout, long now) {
        return new TransactionMetadata(
                transactionalId, id, epoch, lastEpoch, timeout, TransactionState.EMPTY, Set.of(), Map.of(), -1, now);
    }

    /** The same transaction with an epoch bumped to fence its producer (timeout, takeover). */
    public TransactionMetadata fenced(long now) {
        return new TransactionMetadata(
                transactionalId,
                producerId,
                (short) (producerEpoch + 1),
                producerEpoch,
                timeoutMs,
                state,
                partitions,
                offsets,
                startTimeMs,
                now);
    }

    /** Ongoing with these partitions added; the start time is set when the transaction begins. */
    public TransactionMetadata withPartitions(Set<TopicPartition> added, long now) {
        Set<TopicPartition> all = new LinkedHashSet<>(state == TransactionState.ONGOING ? partitions : Set.of());
        all.addAll(added);
        boolean starting = state != TransactionState.ONGOING;
        return new TransactionMetadata(
                transactionalId,
                producerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                TransactionState.ONGOING,
                all,
                starting ? Map.of() : offsets,
                starting ? now : startTimeMs,
                now);
    }

    /** Offsets of a group kept for the commit; later commits of the same partition replace earlier ones. */
    public TransactionMetadata withOffsets(String group, Map<TopicPartition, CommittedOffset> more, long now) {
        Map<String, Map<TopicPartition, CommittedOffset>> all = new LinkedHashMap<>(offsets);
        Map<TopicPartition, CommittedOffset> g = new LinkedHashMap<>(all.getOrDefault(group, Map.of()));
        g.putAll(more);
        all.put(group, g);
        return new TransactionMetadata(
                transactionalId,
                producerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                state,
                partitions,
                all,
                startTimeMs,
                now);
    }

    /** Completed: nothing in flight any more. */
    public TransactionMetadata completed(TransactionState s, long now) {
        return new TransactionMetadata(
                transactionalId,
                producerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                s,
                Set.of(),
                Map.of(),
                -1,
                now);
    }

    public boolean hasTimedOut(long now) {
        return state == TransactionState.ONGOING && startTimeMs >= 0 && now - startTimeMs > timeoutMs;
    }
}
