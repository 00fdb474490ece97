package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Last stable offset and aborted-transaction tracking, live and rebuilt from the log. */
class PartitionTransactionsTest {

    private static final short ABORT = RecordBatchBuilder.CONTROL_ABORT, COMMIT = RecordBatchBuilder.CONTROL_COMMIT;

    @Test
    void lastStableOffsetIsTheFirstOffsetOfTheEarliestOpenTransaction() {
        PartitionTransactions t = new PartitionTransactions(0);
        t.onBatch(-1, false, false, (short) -1, 0, 4);           // plain records 0-4
        assertEquals(5, t.lastStableOffset());
        t.onBatch(7, true, false, (short) -1, 5, 6);             // producer 7 opens at 5
        t.onBatch(8, true, false, (short) -1, 7, 7);             // producer 8 opens at 7
        t.onBatch(7, true, false, (short) -1, 8, 9);             // still 7's transaction
        assertEquals(5, t.lastStableOffset());
        assertEquals(5, t.openTransactionStart(7));
        t.onBatch(7, true, true, COMMIT, 10, 10);                // 7 commits
        assertEquals(7, t.lastStableOffset());
        t.onBatch(8, true, true, ABORT, 11, 11);                 // 8 aborts
        assertEquals(12, t.lastStableOffset());
        assertEquals(List.of(new PartitionTransactions.Aborted(8, 7, 11)), t.abortedIn(0, 12));
        assertEquals(0, t.openCount());
    }

    @Test
    void abortedTransactionsAreFoundByOverlapWithTheFetchedRange() {
        PartitionTransactions t = new PartitionTransactions(0);
        t.onBatch(1, true, false, (short) -1, 0, 1);
        t.onBatch(1, true, true, ABORT, 2, 2);                    // [0, 2]
        t.onBatch(2, true, false, (short) -1, 3, 3);
        t.onBatch(3, true, false, (short) -1, 4, 4);
        t.onBatch(3, true, true, ABORT, 5, 5);                    // [4, 5]
        t.onBatch(2, true, true, ABORT, 6, 6);                    // [3, 6]
        assertEquals(3, t.abortedIn(0, 7).size());
        assertEquals(List.of(new PartitionTransactions.Aborted(3, 4, 5), new PartitionTransactions.Aborted(2, 3, 6)),
                t.abortedIn(3, 7));
        assertEquals(List.of(new PartitionTransactions.Aborted(2, 3, 6)), t.abortedIn(6, 7));
        assertEquals(List.of(new PartitionTransactions.Aborted(1, 0, 2)), t.abortedIn(0, 3));
        assertTrue(t.abortedIn(7, 10).isEmpty());
        t.evictBefore(3);
        assertEquals(2, t.abortedIn(0, 7).size());
    }

    @Test
    void aMarkerWithoutAnOpenTransactionChangesNothing() {
        PartitionTransactions t = new PartitionTransactions(0);
        t.onBatch(4, true, true, ABORT, 0, 0);
        assertTrue(t.abortedIn(0, 1).isEmpty());
        assertEquals(1, t.lastStableOffset());
    }

    @Test
    void liveTrackingMatchesWhatIsRebuiltFromTheLog(@TempDir Path dir) {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dirs", dir.toString(), "log.segment.bytes", "300"));
        long lso;
        List<PartitionTransactions.Aborted> aborted;
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.create("t", 1, Map.of()).partition(0);
            p.transactions(); // tracked live from here
            TxnTestSupport.appendPlain(p);
            long a = TxnTestSupport.appendTxn(p, 5, (short) 0, 0, 3);
            TxnTestSupport.appendTxn(p, 6, (short) 0, 0, 2);
            p.append(RecordBatchBuilder.endTxnMarker(0, 1, 5, (short) 0, 0, false, 0));
            TxnTestSupport.appendTxn(p, 5, (short) 0, 3, 1);
            long open = TxnTestSupport.appendTxn(p, 7, (short) 0, 0, 1);
            p.append(RecordBatchBuilder.endTxnMarker(0, 1, 6, (short) 0, 0, true, 0));
            lso = p.lastStableOffset();
            aborted = p.transactions().abortedIn(0, p.highWatermark());
            assertEquals(List.of(new PartitionTransactions.Aborted(5, a, a + 5)), aborted);
            assertEquals(a + 6, lso); // producer 5's second transaction is still open
            assertEquals(open, p.transactions().openTransactionStart(7));
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.get("t").partition(0);
            assertEquals(lso, p.lastStableOffset());
            assertEquals(aborted, p.transactions().abortedIn(0, p.highWatermark()));
        }
    }

    @Test
    void aSliceIsCutAtTheLastStableOffset(@TempDir Path dir) {
        for (LogFactory logs : List.of(LogFactory.memory(), LogFactory.files(dir))) {
            try (TopicManager topics = new TopicManager(BrokerConfig.of(Map.of("log.dirs", dir.toString())), logs)) {
                Partition p = topics.create("cut", 1, Map.of()).partition(0);
                TxnTestSupport.appendPlain(p);
                TxnTestSupport.appendPlain(p);
                long open = TxnTestSupport.appendTxn(p, 9, (short) 0, 0, 2);
                TxnTestSupport.appendPlain(p);
                assertEquals(open, p.lastStableOffset());
                LogSlice all = p.read(0, 1 << 20, true);
                StableSlice cut = StableSlice.cut(all, p.lastStableOffset());
                assertEquals(open, cut.nextOffset());
                assertTrue(cut.slice().size() > 0 && cut.slice().size() < all.size());
                assertEquals(0, StableSlice.cut(p.read(open, 1 << 20, true), open).slice().size());
                topics.delete("cut");
            }
        }
    }
}
