package dev.skiff.broker.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.internal.records.ShareSnapshotValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the share-partition manager writes to __share_group_state, and in what order, as members acknowledge. */
class SharePartitionManagerTest {

    private static final byte ACCEPT = 1;

    @TempDir
    Path dir;

    private final BrokerConfig config = BrokerConfig.of(Map.of("share.auto.offset.reset", "earliest"));

    /** A state log whose next write waits, once armed, until released. */
    private final class HeldStateLog extends ShareStateLog {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldStateLog(TopicManager topics) {
            super(topics, config, ShareConfig.of(config));
        }

        @Override
        void write(SharePartitionKey key, ShareSnapshotValueData value) {
            if (armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.write(key, value);
        }
    }

    /**
     * Two members acknowledge at once: the snapshot of the first is taken and its write is slow. The second's
     * snapshot, taken after, must not reach the log before it, or a restart restores the older one and delivers
     * the second member's accepted records again (found by the share-group crash soak on three brokers).
     */
    @Test
    void snapshotsReachTheLogInTheOrderTheyWereTaken() throws Exception {
        SharePartitionKey key;
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Topic t = topics.create("in", 1, Map.of());
            for (int b = 0; b < 2; b++) {
                RecordBatchBuilder batch = new RecordBatchBuilder(CompressionType.NONE);
                batch.append(1L, null, ("r" + (2 * b)).getBytes());
                batch.append(1L, null, ("r" + (2 * b + 1)).getBytes());
                topics.partition("in", 0).append(batch.build());
            }
            HeldStateLog state = new HeldStateLog(topics);
            SharePartitionManager manager = new SharePartitionManager(
                    ShareConfig.of(config),
                    topics,
                    new Partitions(topics, (id, epoch, tp) -> Errors.NONE, config, () -> 1_000L),
                    state,
                    GroupConfigs.forBroker(config, null, false, dir),
                    () -> 1_000L);
            key = new SharePartitionKey("g", t.id(), 0);
            assertEquals(
                    0, manager.acquire("a", key, 2, 1 << 20).acquired().get(0).firstOffset());
            assertEquals(
                    2, manager.acquire("b", key, 2, 1 << 20).acquired().get(0).firstOffset());

            state.armed.set(true);
            AtomicReference<Errors> first = new AtomicReference<>(), second = new AtomicReference<>();
            Thread a = new Thread(() -> first.set(manager.acknowledge("a", key, accept(0, 1))));
            a.start();
            assertTrue(state.held.await(20, TimeUnit.SECONDS));
            Thread b = new Thread(() -> second.set(manager.acknowledge("b", key, accept(2, 3))));
            b.start();
            // b either answers (it overtook the held write) or waits for the partition: then let the write go
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (b.isAlive() && b.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) Thread.sleep(1);
            state.release.countDown();
            a.join(20_000);
            b.join(20_000);
            assertEquals(Errors.NONE, first.get());
            assertEquals(Errors.NONE, second.get());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            ShareStateLog restarted = new ShareStateLog(topics, config, ShareConfig.of(config));
            restarted.load();
            assertEquals(4, restarted.state(key).startOffset(), "both acknowledgements survive the restart");
        }
    }

    private static List<SharePartition.AckBatch> accept(long first, long last) {
        return List.of(new SharePartition.AckBatch(first, last, new byte[] {ACCEPT}));
    }
}
