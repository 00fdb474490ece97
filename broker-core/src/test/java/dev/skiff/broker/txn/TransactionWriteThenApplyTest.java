package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.FailingLogs;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction side of write-then-apply: the coordinator's state after live operations is what a fresh
 * coordinator gets by replaying the records written; a failed append changes nothing and answers Kafka's error.
 */
class TransactionWriteThenApplyTest {

    private static final TopicPartition T0 = new TopicPartition("t", 0), T1 = new TopicPartition("t", 1);

    private static Map<String, TransactionMetadata> state(TransactionCoordinator c) {
        Map<String, TransactionMetadata> out = new HashMap<>();
        c.all().forEach(m -> out.put(m.transactionalId(), m));
        return out;
    }

    @Test
    void stateAfterLiveOperationsEqualsStateAfterReplayingTheRecords(@TempDir Path dir) {
        Map<String, TransactionMetadata> live;
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) {
            TransactionCoordinator c = s.coordinator;
            var a = c.initProducerId("committed", 60_000, -1, (short) -1);
            c.addPartitions("committed", a.producerId(), a.producerEpoch(), Set.of(T0));
            c.addOffsets("committed", a.producerId(), a.producerEpoch(), "g");
            c.commitOffsets(
                    "committed",
                    a.producerId(),
                    a.producerEpoch(),
                    "g",
                    Map.of(T1, new CommittedOffset(7, 2, "meta", 1)));
            c.endTransaction("committed", a.producerId(), a.producerEpoch(), true);
            var b = c.initProducerId("open", 60_000, -1, (short) -1);
            c.addPartitions("open", b.producerId(), b.producerEpoch(), Set.of(T0, T1));
            c.addOffsets("open", b.producerId(), b.producerEpoch(), "g2");
            c.commitOffsets(
                    "open", b.producerId(), b.producerEpoch(), "g2", Map.of(T0, new CommittedOffset(3, -1, null, 2)));
            var bumped = c.initProducerId("bumped", 60_000, -1, (short) -1);
            c.initProducerId("bumped", 30_000, bumped.producerId(), bumped.producerEpoch());
            live = state(c);
            assertEquals(3, live.size());
            assertEquals(TransactionState.ONGOING, live.get("open").state());
        }
        try (TxnTestSupport s = TxnTestSupport.onDisk(dir)) {
            assertEquals(live, state(s.coordinator));
        }
    }

    @Test
    void aFailedAppendLeavesStateUnchangedAndAnswersKafkasError() {
        FailingLogs logs = new FailingLogs(LogFactory.memory());
        try (TxnTestSupport s = TxnTestSupport.over(logs)) {
            TransactionCoordinator c = s.coordinator;
            var p = c.initProducerId("a", 60_000, -1, (short) -1);
            TransactionMetadata before = c.describe("a");

            logs.failing = true;
            // a storage failure: Kafka's transaction coordinator answers NOT_COORDINATOR
            assertEquals(
                    Errors.NOT_COORDINATOR,
                    assertThrows(
                                    ApiException.class,
                                    () -> c.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0)))
                            .error());
            assertEquals(before, c.describe("a"));
            assertEquals(
                    Errors.NOT_COORDINATOR,
                    assertThrows(ApiException.class, () -> c.initProducerId("a", 60_000, -1, (short) -1))
                            .error());
            assertEquals(before, c.describe("a"));
            assertEquals(
                    Errors.NOT_COORDINATOR,
                    assertThrows(ApiException.class, () -> c.initProducerId("new", 60_000, -1, (short) -1))
                            .error());
            assertEquals(null, c.describe("new"));

            logs.failing = false;
            c.addPartitions("a", p.producerId(), p.producerEpoch(), Set.of(T0));
            assertEquals(TransactionState.ONGOING, c.describe("a").state());
        }
    }

    @Test
    void idsTheLogCannotHoldAreRefusedBeforeAnythingIsWritten() {
        try (TxnTestSupport s = TxnTestSupport.inMemory()) {
            TransactionCoordinator c = s.coordinator;
            assertEquals(
                    Errors.INVALID_REQUEST,
                    assertThrows(ApiException.class, () -> c.initProducerId("x".repeat(40_000), 60_000, -1, (short) -1))
                            .error());
            assertEquals(null, s.topics.get(TransactionLog.TOPIC)); // nothing was written
            var p = c.initProducerId("a", 60_000, -1, (short) -1);
            assertEquals(
                    Errors.INVALID_GROUP_ID,
                    assertThrows(
                                    ApiException.class,
                                    () -> c.addOffsets("a", p.producerId(), p.producerEpoch(), "g".repeat(40_000)))
                            .error());
            c.addOffsets("a", p.producerId(), p.producerEpoch(), "g");
            assertEquals(
                    Errors.OFFSET_METADATA_TOO_LARGE,
                    assertThrows(
                                    ApiException.class,
                                    () -> c.commitOffsets(
                                            "a",
                                            p.producerId(),
                                            p.producerEpoch(),
                                            "g",
                                            Map.of(T0, new CommittedOffset(1, -1, "m".repeat(40_000), 1))))
                            .error());
            assertEquals(Set.of("g"), c.describe("a").offsets().keySet());
            assertEquals(Map.of(), c.describe("a").offsets().get("g"));
        }
    }
}
