package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.log.AbortedTxn;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's state machine: init and fencing, add, offsets, commit/abort with markers, timeouts, restart. */
class TransactionCoordinatorTest {

    private static final TopicPartition T0 = new TopicPartition("t", 0), T1 = new TopicPartition("t", 1);

    @Test
    void initGivesAProducerIdPerTransactionalIdAndBumpsTheEpochEachTime() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var first = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            var other = s.coordinator.initProducerId("b", 60_000, -1, (short) -1);
            var again = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            assertEquals(0, first.producerEpoch());
            assertNotEquals(first.producerId(), other.producerId());
            assertEquals(first.producerId(), again.producerId());
            assertEquals(1, again.producerEpoch());
            assertEquals(TransactionState.EMPTY, s.coordinator.describe("a").state());
        }
    }

    @Test
    void badInitRequestsAreRefused() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            assertEquals(
                    Errors.INVALID_TRANSACTION_TIMEOUT,
                    assertThrows(ApiException.class, () -> s.coordinator.initProducerId("a", 0, -1, (short) -1))
                            .error());
            assertEquals(
                    Errors.INVALID_TRANSACTION_TIMEOUT,
                    assertThrows(ApiException.class, () -> s.coordinator.initProducerId("a", 900_001, -1, (short) -1))
                            .error());
            assertEquals(
                    Errors.INVALID_REQUEST,
                    assertThrows(ApiException.class, () -> s.coordinator.initProducerId("", 1000, -1, (short) -1))
                            .error());
            var ok = s.coordinator.initProducerId("a", 1000, -1, (short) -1);
            assertEquals(
                    Errors.PRODUCER_FENCED,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.initProducerId("a", 1000, ok.producerId() + 1, (short) 0))
                            .error());
            // the producer's own id and epoch (KIP-360) are accepted and bumped
            var bumped = s.coordinator.initProducerId("a", 1000, ok.producerId(), ok.producerEpoch());
            assertEquals(1, bumped.producerEpoch());
            // a retry of that bump (the previous epoch) gets the same answer, not another bump
            var retry = s.coordinator.initProducerId("a", 1000, ok.producerId(), ok.producerEpoch());
            assertEquals(bumped, retry);
        }
    }

    @Test
    void commitWritesMarkersToEveryPartitionAndMovesTheLastStableOffset() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var p = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            long pid = p.producerId();
            short e = p.producerEpoch();
            assertEquals(Errors.INVALID_TXN_STATE, s.coordinator.verifyProduce(pid, e, T0)); // not added yet
            s.coordinator.addPartitions("a", pid, e, Set.of(T0, T1));
            assertEquals(TransactionState.ONGOING, s.coordinator.describe("a").state());
            assertEquals(Errors.NONE, s.coordinator.verifyProduce(pid, e, T0));
            long first = TxnTestSupport.appendTxn(s.partition(0), pid, e, 0, 3);
            assertEquals(first, s.partition(0).lastStableOffset());
            s.coordinator.endTransaction("a", pid, e, true);
            assertEquals(
                    TransactionState.COMPLETE_COMMIT,
                    s.coordinator.describe("a").state());
            for (int i = 0; i < 2; i++) {
                Partition part = s.partition(i);
                assertEquals(part.highWatermark(), part.lastStableOffset());
                assertEquals(0, part.transactions().openCount());
            }
            assertEquals(4, s.partition(0).highWatermark()); // 3 records + marker
            assertEquals(1, s.partition(1).highWatermark()); // marker only
            assertTrue(aborted(s.partition(0), 0, 10).isEmpty());
            assertEquals(Errors.INVALID_TXN_STATE, s.coordinator.verifyProduce(pid, e, T0)); // over
            s.coordinator.endTransaction("a", pid, e, true); // a retry
            assertEquals(
                    Errors.INVALID_TXN_STATE,
                    assertThrows(ApiException.class, () -> s.coordinator.endTransaction("a", pid, e, false))
                            .error());
        }
    }

    @Test
    void abortIsRecordedAsAnAbortedTransaction() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var p = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            s.coordinator.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0));
            TxnTestSupport.appendPlain(s.partition(0));
            long first = TxnTestSupport.appendTxn(s.partition(0), p.producerId(), p.producerEpoch(), 0, 2);
            s.coordinator.endTransaction("a", p.producerId(), p.producerEpoch(), false);
            assertEquals(
                    List.of(new AbortedTxn(p.producerId(), first, first + 2, first + 3)),
                    aborted(s.partition(0), 0, 10));
            assertEquals(
                    TransactionState.COMPLETE_ABORT, s.coordinator.describe("a").state());
        }
    }

    @Test
    void aNewInstanceFencesTheOldOneAndAbortsItsTransaction() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var old = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            long pid = old.producerId();
            s.coordinator.addPartitions("a", pid, old.producerEpoch(), Set.of(T0));
            long first = TxnTestSupport.appendTxn(s.partition(0), pid, old.producerEpoch(), 0, 1);
            var young = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            assertEquals(pid, young.producerId());
            assertEquals(old.producerEpoch() + 2, young.producerEpoch()); // one for the abort markers, one for it
            assertEquals(List.of(new AbortedTxn(pid, first, first + 1, first + 2)), aborted(s.partition(0), 0, 10));
            assertEquals(
                    Errors.PRODUCER_FENCED,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.addPartitions("a", pid, old.producerEpoch(), Set.of(T1)))
                            .error());
            assertEquals(
                    Errors.PRODUCER_FENCED,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.endTransaction("a", pid, old.producerEpoch(), true))
                            .error());
            assertEquals(Errors.INVALID_PRODUCER_EPOCH, s.coordinator.verifyProduce(pid, old.producerEpoch(), T0));
            assertEquals(
                    Errors.INVALID_PRODUCER_ID_MAPPING,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.endTransaction("a", pid + 1, young.producerEpoch(), true))
                            .error());
            assertEquals(
                    Errors.INVALID_PRODUCER_ID_MAPPING,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.endTransaction("nobody", pid, young.producerEpoch(), true))
                            .error());
        }
    }

    @Test
    void aTransactionOpenPastItsTimeoutIsAbortedUnderABumpedEpoch() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var p = s.coordinator.initProducerId("a", 5_000, -1, (short) -1);
            s.coordinator.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0));
            long first = TxnTestSupport.appendTxn(s.partition(0), p.producerId(), p.producerEpoch(), 0, 1);
            s.clock.addAndGet(5_000);
            s.coordinator.checkTimeouts();
            assertEquals(TransactionState.ONGOING, s.coordinator.describe("a").state()); // not past it yet
            s.clock.addAndGet(1);
            s.coordinator.checkTimeouts();
            TransactionMetadata m = s.coordinator.describe("a");
            assertEquals(TransactionState.COMPLETE_ABORT, m.state());
            assertEquals(p.producerEpoch() + 1, m.producerEpoch());
            assertEquals(1, aborted(s.partition(0), first, first + 1).size());
            assertEquals(s.partition(0).highWatermark(), s.partition(0).lastStableOffset());
            assertEquals(
                    Errors.PRODUCER_FENCED,
                    assertThrows(
                                    ApiException.class,
                                    () -> s.coordinator.endTransaction("a", p.producerId(), p.producerEpoch(), true))
                            .error());
        }
    }

    @Test
    void transactionalOffsetsReachTheGroupOnlyOnCommit() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var p = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            long pid = p.producerId();
            short e = p.producerEpoch();
            Map<TopicPartition, CommittedOffset> o = Map.of(T0, new CommittedOffset(42, -1, "", 1));
            assertEquals(
                    Errors.INVALID_TXN_STATE,
                    assertThrows(ApiException.class, () -> s.coordinator.commitOffsets("a", pid, e, "g", o))
                            .error()); // no AddOffsets
            s.coordinator.addOffsets("a", pid, e, "g");
            s.coordinator.commitOffsets("a", pid, e, "g", o);
            assertNull(s.offsets.fetch("g", T0));
            assertTrue(s.coordinator.hasPendingOffsets("g", T0));
            assertTrue(s.coordinator.describe("a").partitions().contains(new TopicPartition("__consumer_offsets", 0)));
            s.coordinator.endTransaction("a", pid, e, false);
            assertNull(s.offsets.fetch("g", T0));
            s.coordinator.addOffsets("a", pid, e, "g");
            s.coordinator.commitOffsets("a", pid, e, "g", o);
            s.coordinator.endTransaction("a", pid, e, true);
            assertEquals(42, s.offsets.fetch("g", T0).offset());
            assertTrue(!s.coordinator.hasPendingOffsets("g", T0));
        }
    }

    @Test
    void verifyOnlyTellsWhichPartitionsAreInTheTransaction() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            var p = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            s.coordinator.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0));
            Map<TopicPartition, Errors> v =
                    s.coordinator.verifyPartitions("a", p.producerId(), p.producerEpoch(), List.of(T0, T1));
            assertEquals(Map.of(T0, Errors.NONE, T1, Errors.INVALID_TXN_STATE), v);
        }
    }

    /**
     * A broker of a cluster starts on a copy of the logs whose leaders may be elsewhere: a commit its copy of
     * the transaction log shows as decided but not carried out must not be carried out here (markers, offsets
     * and CompleteCommit written to its own copies would part them from the leaders' at the same epoch), and
     * nothing may be appended to its partitions until it is given a role.
     */
    @Test
    void aClusterMemberWritesNothingBeforeItIsGivenARole(@TempDir Path dir) {
        Map<String, Long> ends;
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) {
            crashAfterPrepareCommit(s);
            ends = logEnds(s);
        }
        try (TxnTestSupport s = TxnTestSupport.onDiskClusterMember(dir)) {
            assertEquals(ends, logEnds(s), "nothing was written at start");
            s.coordinator.checkTimeouts();
            assertEquals(ends, logEnds(s), "nor by the timeout check");
            ApiException refused = assertThrows(ApiException.class, () -> TxnTestSupport.appendPlain(s.partition(1)));
            assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, refused.error());
        }
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) { // the same logs on a single broker: it completes
            assertEquals(
                    TransactionState.COMPLETE_COMMIT,
                    s.coordinator.describe("a").state());
            assertTrue(logEnds(s).get("t-0") > ends.get("t-0"), "the commit marker");
        }
    }

    /**
     * Transaction "a" of producer-to-be writes 2 records to {@code T0} and offset 7 of group "g" for {@code T1},
     * then the crash: its PrepareCommit is on disk, no marker and no offset yet. Returns its metadata.
     */
    private static TransactionMetadata crashAfterPrepareCommit(TxnTestSupport s) {
        var p = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
        s.coordinator.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0));
        s.coordinator.addOffsets("a", p.producerId(), p.producerEpoch(), "g");
        s.coordinator.commitOffsets(
                "a", p.producerId(), p.producerEpoch(), "g", Map.of(T1, new CommittedOffset(7, -1, null, 1)));
        TxnTestSupport.appendTxn(s.partition(0), p.producerId(), p.producerEpoch(), 0, 2);
        TransactionMetadata m = s.coordinator.describe("a");
        new TransactionLog(s.topics, s.config)
                .append(
                        "a",
                        TransactionRecords.key("a"),
                        TransactionRecords.value(m.withState(TransactionState.PREPARE_COMMIT, m.lastUpdateTimeMs())));
        return m;
    }

    /** The log end offset of every partition, by "topic-partition". */
    private static Map<String, Long> logEnds(TxnTestSupport s) {
        Map<String, Long> ends = new java.util.TreeMap<>();
        for (var t : s.topics.all())
            for (var p : t.partitions())
                ends.put(p.id().topic() + "-" + p.id().partition(), p.log().logEndOffset());
        return ends;
    }

    @Test
    void stateSurvivesARestartAndAnInterruptedCommitIsCompleted(@TempDir Path dir) {
        long pid;
        short epoch;
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) {
            TransactionMetadata m = crashAfterPrepareCommit(s);
            pid = m.producerId();
            epoch = m.producerEpoch();
            var other = s.coordinator.initProducerId("open", 60_000, -1, (short) -1);
            s.coordinator.addPartitions("open", other.producerId(), other.producerEpoch(), Set.of(T1));
            TxnTestSupport.appendTxn(s.partition(1), other.producerId(), other.producerEpoch(), 0, 1);
        }
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) {
            TransactionMetadata a = s.coordinator.describe("a");
            assertEquals(TransactionState.COMPLETE_COMMIT, a.state());
            assertEquals(pid, a.producerId());
            assertEquals(epoch, a.producerEpoch());
            assertEquals(s.partition(0).highWatermark(), s.partition(0).lastStableOffset());
            assertEquals(3, s.partition(0).highWatermark());
            assertEquals(7, s.offsets.fetch("g", T1).offset());
            // the open transaction goes on after the restart and still holds back its partition
            TransactionMetadata open = s.coordinator.describe("open");
            assertEquals(TransactionState.ONGOING, open.state());
            assertEquals(0, s.partition(1).lastStableOffset());
            assertEquals(Errors.NONE, s.coordinator.verifyProduce(open.producerId(), open.producerEpoch(), T1));
            s.clock.addAndGet(10 * 60_000 + 1);
            s.coordinator.checkTimeouts();
            assertEquals(
                    TransactionState.COMPLETE_ABORT,
                    s.coordinator.describe("open").state());
            assertEquals(s.partition(1).highWatermark(), s.partition(1).lastStableOffset());
        }
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) { // ids keep their epochs; a new init bumps them
            var again = s.coordinator.initProducerId("a", 60_000, -1, (short) -1);
            assertEquals(pid, again.producerId());
            assertEquals(epoch + 1, again.producerEpoch());
        }
    }

    @Test
    void recordsRoundTripWithPendingOffsets() {
        TransactionMetadata m = new TransactionMetadata(
                "x",
                5,
                (short) 3,
                (short) 2,
                1234,
                TransactionState.ONGOING,
                Set.of(T0, T1),
                Map.of("g", Map.of(T0, new CommittedOffset(9, 4, null, 77))),
                100,
                200);
        assertEquals(m, TransactionRecords.readValue("x", TransactionRecords.value(m)));
        assertEquals("x", TransactionRecords.readKey(TransactionRecords.key("x")));
    }

    /** The aborted transactions a read_committed fetch sees: it asks the last stable offset first, which loads. */
    private static List<AbortedTxn> aborted(Partition p, long from, long to) {
        p.lastStableOffset();
        return p.log().abortedTransactions(from, to);
    }
}
