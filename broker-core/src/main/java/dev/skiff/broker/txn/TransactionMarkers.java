package dev.skiff.broker.txn;

import dev.skiff.broker.Partition;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
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

    /** The epoch of Skiff's transaction coordinator: its partition of __transaction_state is never moved. */
    static final int COORDINATOR_EPOCH = 0;

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
                Log.AppendInfo info = p.append(
                        RecordBatchBuilder.endTxnMarker(0, now, producerId, epoch, COORDINATOR_EPOCH, commit, 0));
                p.producers().updateEpoch(producerId, epoch, COORDINATOR_EPOCH, info.lastOffset(), now);
                return null;
            });
        }
    }

    /**
     * WriteTxnMarkers (Admin.abortTransaction, {@code kafka-transactions abort}): one marker into one partition this
     * broker leads, with Kafka's checks under the append lock: an epoch older than the producer's fails with
     * INVALID_PRODUCER_EPOCH, a coordinator epoch older than the last marker's with TRANSACTION_COORDINATOR_FENCED.
     * Returns what was appended; the marker ends the producer's open transaction in the partition, if any.
     */
    public static Log.AppendInfo writeChecked(
            Partition p, long producerId, short epoch, int coordinatorEpoch, boolean commit, long now) {
        return p.locked(() -> {
            ProducerStateTable.Reject refused = p.producers().checkMarker(producerId, epoch, coordinatorEpoch);
            if (refused != null) throw new ApiException(Errors.forCode(refused.errorCode()), refused.message());
            Log.AppendInfo info =
                    p.append(RecordBatchBuilder.endTxnMarker(0, now, producerId, epoch, coordinatorEpoch, commit, 0));
            p.producers().updateEpoch(producerId, epoch, coordinatorEpoch, info.lastOffset(), now);
            return info;
        });
    }
}
