package dev.skiff.it.hostile;

import static dev.skiff.it.producer.IdempotentWire.assertProduced;
import static dev.skiff.it.producer.IdempotentWire.initProducerId;
import static dev.skiff.it.producer.IdempotentWire.produce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.ProducerStateTable;
import dev.skiff.it.durability.LogCapture;
import dev.skiff.log.RecoveryPoints;
import dev.skiff.log.SegmentedLog;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer-state snapshots and the recovery-point checkpoint are files a broker reads at start: truncated,
 * garbled, oversized or pointing anywhere, they are ignored with a warning (the state is rebuilt from the log,
 * every suspect segment recovered), the broker starts, keeps every batch and still recognises a retry, and
 * then serves and restarts intact.
 */
class DamagedSnapshotFilesHostileTest {

    private static final String TOPIC = "snapped";

    @TempDir
    Path dataDir;

    @Test
    void damagedSnapshotsAndCheckpointAreIgnoredAndTheBrokerServes() throws Exception {
        long pid, last, end;
        int seq = 0;
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().dataDir(dataDir).start()) {
            broker.createTopic(TOPIC, 1, Map.of("segment.bytes", "1048576"));
            pid = initProducerId(broker.port());
            SegmentedLog log = (SegmentedLog)
                    InsideBroker.of(broker).topics().partition(TOPIC, 0).log();
            while (log.segmentBaseOffsets().size() < 3) {
                assertProduced(log.logEndOffset(), produce(broker.port(), TOPIC, pid, 0, seq, 20, 2000));
                seq += 20;
            }
            last = log.logEndOffset() - 20;
            end = log.logEndOffset();
        } // a clean stop: snapshots of the last roll and of the close
        Path dir = dataDir.resolve(TOPIC + "-0");
        List<Path> snapshots;
        try (Stream<Path> files = Files.list(dir)) {
            snapshots = files.filter(f -> f.toString().endsWith(".snapshot"))
                    .sorted()
                    .toList();
        }
        assertEquals(2, snapshots.size());
        // the newest: oversized (sparse, 40 MiB); the older: one bit flipped; one more: truncated to 5 bytes
        try (FileChannel ch = FileChannel.open(snapshots.get(1), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {7}), 40L << 20);
        }
        byte[] older = Files.readAllBytes(snapshots.get(0));
        older[older.length / 2] ^= 0x10;
        Files.write(snapshots.get(0), older);
        Files.write(dir.resolve(String.format("%020d.snapshot", end - 20)), new byte[] {0, 1, 0, 0, 0});
        // the checkpoint: garbage; and the clean-shutdown marker gone, so that recovery must ask it
        Files.writeString(dataDir.resolve(RecoveryPoints.FILE), "0\n999999999\n" + TOPIC + " zero -5\n\u0000\u0007");
        Files.deleteIfExists(dir.resolve(".clean_shutdown"));

        try (LogCapture warnings = new LogCapture("dev.skiff");
                EmbeddedSkiff broker = EmbeddedSkiff.builder().dataDir(dataDir).start()) {
            SegmentedLog log = (SegmentedLog)
                    InsideBroker.of(broker).topics().partition(TOPIC, 0).log();
            assertEquals(end, log.logEndOffset(), "every batch kept");
            List<Long> bases = log.segmentBaseOffsets();
            assertEquals(bases.get(bases.size() - 2), log.recoveredFrom(), "no checkpoint: the last two segments");
            // a retry of the last batch: the state is rebuilt from the whole log, the retry recognised
            assertProduced(last, produce(broker.port(), TOPIC, pid, 0, seq - 20, 20, 2000));
            ProducerStateTable state =
                    InsideBroker.of(broker).topics().partition(TOPIC, 0).producers();
            assertEquals(-1, state.loadedFromSnapshot());
            assertEquals(end / 20, state.batchesScannedAtLoad());
            assertProduced(end, produce(broker.port(), TOPIC, pid, 0, seq, 1, 10));
            assertTrue(
                    warnings.contains("Ignoring unreadable"),
                    warnings.messages().toString());
            assertTrue(
                    warnings.contains("Ignoring producer snapshot"),
                    warnings.messages().toString());
            assertTrue(
                    warnings.contains("Ignoring the producer snapshot"),
                    warnings.messages().toString());

            Survival survival = Survival.before(broker);
            survival.assertServedAndRestartsIntact();
        }
    }
}
