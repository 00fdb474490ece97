package dev.skiff.broker;

/**
 * Transactions V2 (KIP-890): a producer no longer sends AddPartitionsToTxn; a transactional batch in Produce v12+
 * adds its partition to the producer's transaction (beginning one when none is open) before it goes in. The
 * transaction coordinator, wherever it runs, does the adding; the partition only asks.
 */
@FunctionalInterface
public interface TransactionAdder {

    /**
     * Adds {@code partition} to the transaction of {@code transactionalId}, or throws an ApiException with the
     * error the producer gets for its batch (INVALID_PRODUCER_EPOCH when fenced, NOT_ENOUGH_REPLICAS while the
     * coordinator is moving or the previous transaction is still completing, INVALID_TXN_STATE, ...).
     */
    void addPartition(String transactionalId, long producerId, short producerEpoch, TopicPartition partition);
}
