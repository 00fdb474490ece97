package dev.skiff.broker.txn;

import dev.skiff.broker.BatchScanner;
import dev.skiff.log.Log;

/**
 * Rebuilds a partition's {@link PartitionTransactions} from its log: every batch header is read, and the
 * body only of transaction markers (one tiny record) to learn commit or abort. Nothing is kept on disk for
 * this (no .txnindex): the log is the record, read once when the partition is first asked.
 */
public final class PartitionTransactionsLoader {

    /** Markers hold one tiny record; a bigger control batch is not a marker worth reading. */
    private static final int MAX_MARKER_BATCH = 4096;

    private PartitionTransactionsLoader() {}

    public static PartitionTransactions load(Log log) {
        PartitionTransactions txns = new PartitionTransactions(log.logEndOffset());
        BatchScanner.scan(log, (b, whole) -> {
            short type = -1;
            if (b.isControl() && b.isTransactional() && b.declaredSize() <= MAX_MARKER_BATCH) {
                type = PartitionTransactions.controlType(whole.read());
            }
            txns.onBatch(b.producerId(), b.isTransactional(), b.isControl(), type, b.baseOffset(), b.lastOffset());
        });
        return txns;
    }
}
