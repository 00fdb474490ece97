package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.it.durability.LogCapture;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Records of {@code __consumer_offsets} and {@code __transaction_state} that cannot be read (cut short, of an
 * unknown version, a string length past the end), written straight into the logs as a damaged or foreign file
 * would hold them: the broker starts, logs each skipped record with its topic, partition and offset, and keeps
 * every readable record before and after them.
 */
class InternalStateLoadTest {

    private static final String TXN_TOPIC = "__transaction_state";

    /** Appends one batch of key/value records and returns the offset of its first record. */
    private static long appendRaw(Partition p, byte[]... keyValues) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (int i = 0; i < keyValues.length; i += 2)
            b.append(System.currentTimeMillis(), keyValues[i], keyValues[i + 1]);
        return p.append(b.build()).firstOffset();
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }

    /** An int16 type/version, then a string that is there in full. */
    private static byte[] prefixed(int version, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length)
                .putShort((short) version)
                .putShort((short) b.length)
                .put(b)
                .array();
    }

    @Test
    void unreadableInternalRecordsAreLoggedAndSkippedAndTheRestIsKept() {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            var txn = InsideBroker.of(broker).transactions().initProducerId("tx-kept", 60_000, -1, (short) -1);
            assertEquals(0, txn.producerEpoch()); // a new id: the first epoch (a failure throws)

            Partition offsets =
                    InsideBroker.of(broker).topics().get(OffsetStore.TOPIC).partition(0);
            long badOffsets = appendRaw(
                    offsets,
                    bytes(0, 1, 0x7f, 0x7f),
                    bytes(0, 3), // offset key: group length past the end
                    prefixed(2, "bad-group"),
                    bytes(0, 99, 0, 0), // group metadata value version 99
                    prefixed(1, "bad-group"),
                    bytes(0, 3, 0, 0, 0)); // offset key cut before topic
            InsideBroker.of(broker)
                    .offsets()
                    .commit(
                            "after-bad",
                            Map.of(
                                    new TopicPartition(survival.topic(), 1),
                                    new CommittedOffset(11, -1, "", System.currentTimeMillis())));

            Partition txns = InsideBroker.of(broker).topics().get(TXN_TOPIC).partition(0);
            long badTxn = appendRaw(
                    txns,
                    prefixed(0, "tx-bad"),
                    bytes(0, 0, 0, 0), // value cut short
                    prefixed(0, "tx-kept"),
                    bytes(0, 7, 1, 2)); // value of an unknown version
            var after = InsideBroker.of(broker).transactions().initProducerId("tx-after", 60_000, -1, (short) -1);
            assertEquals(0, after.producerEpoch()); // a new id: the first epoch (a failure throws)

            try (LogCapture logs = new LogCapture("dev.skiff.broker")) {
                broker.restart();
                for (int i = 0; i < 3; i++) {
                    String expected =
                            "Skipping unreadable record of " + OffsetStore.TOPIC + "-0 at offset " + (badOffsets + i);
                    assertTrue(logs.contains(expected), expected + " in " + logs.messages());
                }
                for (int i = 0; i < 2; i++) {
                    String expected = "Skipping unreadable record of " + TXN_TOPIC + "-0 at offset " + (badTxn + i);
                    assertTrue(logs.contains(expected), expected + " in " + logs.messages());
                }
            }
            assertEquals(
                    11,
                    InsideBroker.of(broker)
                            .offsets()
                            .fetch("after-bad", new TopicPartition(survival.topic(), 1))
                            .offset());
            var kept = InsideBroker.of(broker).transactions().describe("tx-kept");
            assertNotNull(kept, "the readable state of tx-kept is kept");
            assertEquals(txn.producerId(), kept.producerId());
            assertNotNull(InsideBroker.of(broker).transactions().describe("tx-after"));
            survival.assertServedAndRestartsIntact();
        }
    }
}
