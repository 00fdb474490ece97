package dev.skiff.broker.txn;

import dev.skiff.broker.TopicPartition;
import java.util.Collection;

/**
 * Writes the commit or abort markers of a transaction into its data partitions. A single broker appends them
 * locally ({@link TransactionMarkers}); in a cluster each marker goes to the partition's leader. A failure
 * throws: the transaction stays in PrepareCommit/PrepareAbort and the coordinator's periodic check writes the
 * markers again (writing one twice is harmless: the second finds no open transaction of that producer).
 */
public interface MarkerWriter {

    void write(Collection<TopicPartition> partitions, long producerId, short epoch, boolean commit);
}
