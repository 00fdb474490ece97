package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.memory.InMemoryLog;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Last stable offset and aborted-transaction tracking, live and rebuilt from the log. */
class PartitionTransactionsTest {

    private static final short ABORT = RecordBatchBuilder.CONTROL_ABORT, COMMIT = RecordBatchBuilder.CONTROL_COMMIT;
    private final Log log = InMemoryLog.create(LogConfig.defaults());

    /** Feeds one batch header and indexes the abort it ends, as an append does. */
    private void onBatch(
            PartitionTransactions t,
            long producerId,
            boolean transactional,
            boolean control,
            short type,
            long baseOffset,
            long lastOffset) {
        AbortedTxn aborted = t.onBatch(producerId, transactional, control, type, baseOffset, lastOffset);
        if (aborted != null) log.appendAbortedTransaction(aborted);
    }

    @Test
    void lastStableOffsetIsTheFirstOffsetOfTheEarliestOpenTransaction() {
        PartitionTransactions t = new PartitionTransactions(log, 0);
        t.onBatch(-1, false, false, (short) -1, 0, 4); // plain records 0-4
        assertEquals(5, t.lastStableOffset());
        t.onBatch(7, true, false, (short) -1, 5, 6); // producer 7 opens at 5
        t.onBatch(8, true, false, (short) -1, 7, 7); // producer 8 opens at 7
        t.onBatch(7, true, false, (short) -1, 8, 9); // still 7's transaction
        assertEquals(5, t.lastStableOffset());
        assertEquals(5, t.openTransactionStart(7));
        t.onBatch(7, true, true, COMMIT, 10, 10); // 7 commits
        assertEquals(7, t.lastStableOffset());
        assertEquals(new AbortedTxn(8, 7, 11, 12), t.onBatch(8, true, true, ABORT, 11, 11)); // 8 aborts
        assertEquals(12, t.lastStableOffset());
        assertEquals(0, t.openCount());
    }

    @Test
    void abortedTransactionsAreFoundByOverlapWithTheFetchedRange() {
        PartitionTransactions t = new PartitionTransactions(log, 0);
        onBatch(t, 1, true, false, (short) -1, 0, 1);
        onBatch(t, 1, true, true, ABORT, 2, 2); // [0, 2]
        onBatch(t, 2, true, false, (short) -1, 3, 3);
        onBatch(t, 3, true, false, (short) -1, 4, 4);
        onBatch(t, 3, true, true, ABORT, 5, 5); // [4, 5], 2's transaction still open at 3
        onBatch(t, 2, true, true, ABORT, 6, 6); // [3, 6]
        assertEquals(3, log.abortedTransactions(0, 7).size());
        assertEquals(List.of(new AbortedTxn(3, 4, 5, 3), new AbortedTxn(2, 3, 6, 7)), log.abortedTransactions(3, 7));
        assertEquals(List.of(new AbortedTxn(2, 3, 6, 7)), log.abortedTransactions(6, 7));
        assertEquals(List.of(new AbortedTxn(1, 0, 2, 3)), log.abortedTransactions(0, 3));
        assertTrue(log.abortedTransactions(7, 10).isEmpty());
    }

    @Test
    void aMarkerWithoutAnOpenTransactionChangesNothing() {
        PartitionTransactions t = new PartitionTransactions(log, 0);
        assertNull(t.onBatch(4, true, true, ABORT, 0, 0));
        assertEquals(1, t.lastStableOffset());
    }

    @Test
    void liveTrackingMatchesWhatIsRebuiltFromTheLog(@TempDir Path dir) {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dirs", dir.toString(), "log.segment.bytes", "300"));
        long lso;
        List<AbortedTxn> aborted;
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
            aborted = p.log().abortedTransactions(0, p.highWatermark());
            assertEquals(List.of(new AbortedTxn(5, a, a + 5, a + 3)), aborted); // 6 was open from a + 3
            assertEquals(a + 6, lso); // producer 5's second transaction is still open
            assertEquals(open, p.transactions().openTransactionStart(7));
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.get("t").partition(0);
            assertEquals(lso, p.lastStableOffset());
            assertEquals(aborted, p.log().abortedTransactions(0, p.highWatermark()));
        }
    }

    @Test
    void loadingIndexesAbortsTheIndexLacksOnce(@TempDir Path dir) {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dirs", dir.toString(), "log.segment.bytes", "300"));
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.create("old", 1, Map.of()).partition(0);
            // written to the log past the partition: nothing tracks them, as in a log written before the index
            // existed (the partition follows the transactions of a log it appends to from empty)
            long a = p.log().append(TxnTestSupport.txnBatch(5, (short) 0, 0, 2)).firstOffset();
            p.log().append(RecordBatchBuilder.endTxnMarker(0, 1, 5, (short) 0, 0, false, 0));
            p.log().append(TxnTestSupport.plainBatch());
            assertTrue(p.log().abortedTransactions(0, p.highWatermark()).isEmpty());
            List<AbortedTxn> expected = List.of(new AbortedTxn(5, a, a + 2, a + 3));
            assertEquals(a + 4, p.lastStableOffset()); // loads
            assertEquals(expected, p.log().abortedTransactions(0, p.highWatermark()));
            PartitionTransactionsLoader.load(p.log());
            assertEquals(expected, p.log().abortedTransactions(0, p.highWatermark()), "a second load adds nothing");
        }
    }

    @Test
    void aMarkerWhoseAppendRollsTheSegmentStillEndsTheTransaction(@TempDir Path dir) {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dirs", dir.toString(), "log.segment.bytes", "300"));
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.create("roll", 1, Map.of()).partition(0);
            TxnTestSupport.appendTxn(p, 5, (short) 0, 0, 2);
            for (int i = 0; i < 3; i++) TxnTestSupport.appendPlain(p);
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = topics.get("roll").partition(0);
            // nothing has asked for the transactions since the restart: the roll this marker causes snapshots
            // them, loading them from the log as it was before the marker
            long marker = p.append(RecordBatchBuilder.endTxnMarker(0, 1, 5, (short) 0, 0, true, 0))
                    .firstOffset();
            assertTrue(p.log().producerSnapshotOffsets().contains(marker), "the marker's append rolled the log");
            assertEquals(p.highWatermark(), p.lastStableOffset());
            assertEquals(0, p.transactions().openCount());
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
                assertEquals(
                        0,
                        StableSlice.cut(p.read(open, 1 << 20, true), open)
                                .slice()
                                .size());
                topics.delete("cut");
            }
        }
    }
}
