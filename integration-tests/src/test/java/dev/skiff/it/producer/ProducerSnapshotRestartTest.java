package dev.skiff.it.producer;

import static dev.skiff.it.producer.IdempotentWire.assertProduced;
import static dev.skiff.it.producer.IdempotentWire.initProducerId;
import static dev.skiff.it.producer.IdempotentWire.produce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Partition;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.it.Poll;
import dev.skiff.log.RecoveryPoints;
import dev.skiff.log.SegmentedLog;
import dev.skiff.protocol.Errors;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarting with a log of idempotent data: after a clean stop the first produce reads the producer-state
 * snapshot of the close and no batch of the log; after a crash, recovery starts at the checkpointed recovery
 * point and the state comes from the last roll's snapshot plus the batches after it. Either way a retried
 * batch is answered with its original offset and epochs are still fenced.
 */
class ProducerSnapshotRestartTest {

    private static final String TOPIC = "snap";

    @TempDir
    Path tmp;

    private static Partition partition(EmbeddedSkiff skiff) {
        return InsideBroker.of(skiff).topics().partition(TOPIC, 0);
    }

    /** About 3.5 MiB of idempotent records from kafka-clients: at least three 1 MiB segments. */
    private static void fill(KafkaProducer<String, String> producer) throws Exception {
        String value = "v".repeat(1024);
        for (int i = 0; i < 3500; i++) producer.send(new ProducerRecord<>(TOPIC, 0, null, value));
        producer.flush();
    }

    @Test
    void aCleanRestartReadsTheSnapshotAndNoBatchOfTheLog() throws Exception {
        EmbeddedSkiff skiff =
                EmbeddedSkiff.builder().dataDir(tmp.resolve("data")).start();
        try (skiff;
                KafkaProducer<String, String> client = Clients.producer(
                        skiff.bootstrapServers(), "enable.idempotence", "true", "acks", "all", "linger.ms", "5")) {
            skiff.createTopic(TOPIC, 1, Map.of("segment.bytes", "1048576"));
            fill(client);
            long pid = initProducerId(skiff.port());
            long first = skiff.logEndOffset(TOPIC, 0);
            assertProduced(first, produce(skiff.port(), TOPIC, pid, 0, 0, 3, 100));
            assertTrue(partition(skiff).log().segmentBaseOffsets().size() >= 3, "several segments");
            long end = skiff.logEndOffset(TOPIC, 0);

            skiff.restart();

            // the first use after the restart: the retried batch is a duplicate, answered with its first offset
            assertProduced(first, produce(skiff.port(), TOPIC, pid, 0, 0, 3, 100));
            ProducerStateTable state = partition(skiff).producers();
            assertEquals(end, state.loadedFromSnapshot(), "loaded from the snapshot written at the clean stop");
            assertEquals(0, state.batchesScannedAtLoad(), "and read no batch of the log");
            assertEquals(end, skiff.logEndOffset(TOPIC, 0));
            // the sequence goes on; a new epoch starts at 0 and fences the old one
            assertProduced(end, produce(skiff.port(), TOPIC, pid, 0, 3, 1, 100));
            assertProduced(end + 1, produce(skiff.port(), TOPIC, pid, 1, 0, 1, 100));
            assertEquals(
                    Errors.INVALID_PRODUCER_EPOCH.code(),
                    produce(skiff.port(), TOPIC, pid, 0, 4, 1, 100).errorCode());
            // the kafka-clients producer, connected across the restart, goes on with its own sequence
            client.send(new ProducerRecord<>(TOPIC, 0, null, "after")).get();
            assertEquals(end + 3, skiff.logEndOffset(TOPIC, 0));
        }
    }

    @Test
    void aCrashRecoversFromTheCheckpointAndKeepsEveryAcknowledgedBatch() throws Exception {
        Path data = tmp.resolve("data");
        Path crashed = tmp.resolve("crashed");
        long pid, retried, activeBase, end;
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().dataDir(data).start();
                KafkaProducer<String, String> client = Clients.producer(
                        skiff.bootstrapServers(), "enable.idempotence", "true", "acks", "all", "linger.ms", "5")) {
            skiff.createTopic(TOPIC, 1, Map.of("segment.bytes", "1048576"));
            fill(client);
            SegmentedLog log = (SegmentedLog) partition(skiff).log();
            List<Long> bases = log.segmentBaseOffsets();
            activeBase = bases.get(bases.size() - 1);
            // the rolled segments' fsync moved the recovery point to the active segment, and the file says so
            Poll.until("the recovery point reaches the active segment", log::recoveryPoint, p -> p >= activeBase);
            Path checkpoint = data.resolve(RecoveryPoints.FILE);
            Poll.until(
                    "the checkpoint names it",
                    () -> Files.exists(checkpoint) ? Files.readString(checkpoint) : "",
                    text -> text.contains(TOPIC + " 0 " + activeBase + "\n"));
            // more, never flushed
            pid = initProducerId(skiff.port());
            retried = skiff.logEndOffset(TOPIC, 0);
            assertProduced(retried, produce(skiff.port(), TOPIC, pid, 0, 0, 3, 100));
            assertProduced(retried + 3, produce(skiff.port(), TOPIC, pid, 0, 3, 3, 100));
            end = skiff.logEndOffset(TOPIC, 0);
            // the crash: the files as the page cache has them, without a clean-shutdown marker or close snapshot
            copy(data, crashed);
        }
        try (EmbeddedSkiff after = EmbeddedSkiff.builder().dataDir(crashed).start()) {
            SegmentedLog log = (SegmentedLog) partition(after).log();
            assertEquals(activeBase, log.recoveredFrom(), "recovery started at the recovery point's segment");
            assertEquals(end, after.logEndOffset(TOPIC, 0), "nothing acknowledged was lost");
            assertProduced(retried + 3, produce(after.port(), TOPIC, pid, 0, 3, 3, 100));
            ProducerStateTable state = partition(after).producers();
            assertEquals(activeBase, state.loadedFromSnapshot(), "the snapshot of the last roll");
            assertTrue(state.batchesScannedAtLoad() > 0, "then the batches after it");
            assertTrue(
                    state.batchesScannedAtLoad() < 3500 / 2,
                    "not the whole log: " + state.batchesScannedAtLoad() + " batches read");
            assertProduced(end, produce(after.port(), TOPIC, pid, 0, 6, 1, 100));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
