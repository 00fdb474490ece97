package dev.skiff.broker.txn;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.log.Log;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.util.Collection;

/**
 * Writes the commit or abort marker of a transaction into each of its partitions. Each marker goes in under
 * the partition's append lock together with the producer-state update, so the marker's epoch fences any
 * later batch of an older epoch. Partitions of internal topics get none: the offsets of a transaction are
 * kept by the coordinator, not written as transactional records. This is the single broker's
 * {@link MarkerWriter}: every partition is local.
 */
public final class TransactionMarkers implements MarkerWriter {

    private final TopicManager topics;

    public TransactionMarkers(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public void write(Collection<TopicPartition> partitions, long producerId, short epoch, boolean commit) {
        long now = System.currentTimeMillis();
        for (TopicPartition tp : partitions) {
            Topic t = topics.get(tp.topic());
            Partition p = t == null || t.internal() ? null : t.partition(tp.partition());
            if (p == null) continue; // deleted meanwhile: nothing to mark
            p.locked(() -> {
                Log.AppendInfo info =
                        p.append(RecordBatchBuilder.endTxnMarker(0, now, producerId, epoch, 0, commit, 0));
                p.producers().updateEpoch(producerId, epoch, info.lastOffset(), now);
                return null;
            });
        }
    }
}
