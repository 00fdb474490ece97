package dev.skiff.broker;

import dev.skiff.protocol.Errors;

/**
 * Lets a transactional batch in only when its transaction is ongoing and holds the partition (transactions
 * v1: AddPartitionsToTxn comes first). The transaction coordinator answers; the partition only asks.
 */
@FunctionalInterface
public interface TransactionVerifier {

    /** NONE to let the batch in, else the error the producer gets (INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH). */
    Errors verify(long producerId, short producerEpoch, TopicPartition partition);
}
