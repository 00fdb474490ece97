package dev.skiff.broker.txn;

/**
 * The states of a transactional id, with Kafka's names (DescribeTransactions, ListTransactions filters) and
 * status ids (the transaction log's value).
 */
public enum TransactionState {
    EMPTY("Empty", 0),
    ONGOING("Ongoing", 1),
    PREPARE_COMMIT("PrepareCommit", 2),
    PREPARE_ABORT("PrepareAbort", 3),
    COMPLETE_COMMIT("CompleteCommit", 4),
    COMPLETE_ABORT("CompleteAbort", 5),
    DEAD("Dead", 6),
    PREPARE_EPOCH_FENCE("PrepareEpochFence", 7);

    public final String kafkaName;
    public final byte id;

    TransactionState(String kafkaName, int id) {
        this.kafkaName = kafkaName;
        this.id = (byte) id;
    }

    public static TransactionState forId(byte id) {
        for (TransactionState s : values()) if (s.id == id) return s;
        throw new IllegalArgumentException("Unknown transaction status " + id);
    }

    /** The state of that Kafka name, or null. */
    public static TransactionState forName(String name) {
        for (TransactionState s : values()) if (s.kafkaName.equals(name)) return s;
        return null;
    }

    /** Markers still have to be written (the state at a crash that recovery completes). */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** No transaction in progress: a new one may start. */
    public boolean isIdle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
