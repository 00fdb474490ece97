package dev.skiff.broker.txn;

import dev.skiff.broker.BatchScanner;
import dev.skiff.broker.producer.ProducerStateSnapshot;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;

/**
 * Rebuilds a partition's {@link PartitionTransactions} from its log: every batch header is read, and the
 * body only of transaction markers (one tiny record) to learn commit or abort. Open transactions are kept in
 * memory; an abort the log's index lacks (a log written before that index existed, an index file lost, or
 * markers appended before the partition's transactions were first asked) is added to it on the way.
 */
public final class PartitionTransactionsLoader {

    /** Markers hold one tiny record; a bigger control batch is not a marker worth reading. */
    private static final int MAX_MARKER_BATCH = 4096;

    private PartitionTransactionsLoader() {}

    /** Whether the index already has this abort: same producer, same marker (makes loading idempotent). */
    private static boolean indexed(Log log, AbortedTxn aborted) {
        long marker = aborted.lastOffset();
        return log.abortedTransactions(marker, marker + 1).stream()
                .anyMatch(t -> t.producerId() == aborted.producerId() && t.lastOffset() == marker);
    }

    public static PartitionTransactions load(Log log) {
        return load(log, ProducerStateSnapshot.newest(log));
    }

    /**
     * As {@link #load(Log)}, starting from the open transactions of a producer-state {@code snapshot} and
     * reading only the log after it (null: the whole log). Aborts before the snapshot are in the index already:
     * it was written with them.
     */
    public static PartitionTransactions load(Log log, ProducerStateSnapshot.Loaded snapshot) {
        PartitionTransactions txns = new PartitionTransactions(log, log.logEndOffset());
        long from = log.logStartOffset();
        if (snapshot != null) {
            for (ProducerStateSnapshot.Entry e : snapshot.entries()) {
                if (e.currentTxnFirstOffset() >= 0) txns.restoreOpen(e.batch().producerId(), e.currentTxnFirstOffset());
            }
            from = snapshot.offset();
        }
        BatchScanner.scan(log, from, (b, whole) -> {
            short type = -1;
            if (b.isControl() && b.isTransactional() && b.declaredSize() <= MAX_MARKER_BATCH) {
                type = PartitionTransactions.controlType(whole.read());
            }
            AbortedTxn aborted = txns.onBatch(
                    b.producerId(), b.isTransactional(), b.isControl(), type, b.baseOffset(), b.lastOffset());
            if (aborted != null && !indexed(log, aborted)) log.appendAbortedTransaction(aborted);
        });
        return txns;
    }
}
