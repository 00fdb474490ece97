package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed offsets expire as Kafka 4.x expires them, as tombstones that a restart agrees with. */
class OffsetExpiryTest {

    private static final long RETENTION = 60_000;
    private static final long CHECK_EVERY = 1_000;

    @TempDir
    Path dir;

    private final ManualTimer timer = new ManualTimer();
    private final BrokerConfig config = BrokerConfig.defaults();
    private final TopicPartition t0 = new TopicPartition("t", 0);
    private final TopicPartition other = new TopicPartition("other", 0);

    private interface Body {
        void run(OffsetStore store, GroupCoordinator c);
    }

    private void open(Body body) {
        open(GroupCoordinator.PendingOffsets.NONE, body);
    }

    private void open(GroupCoordinator.PendingOffsets pending, Body body) {
        TopicManager topics = new TopicManager(config, LogFactory.files(dir));
        try {
            OffsetStore store = new OffsetStore(topics, config);
            body.run(store, new GroupCoordinator(store, timer, 0, 1000, 300_000, RETENTION, CHECK_EVERY, pending));
        } finally {
            topics.close();
        }
    }

    @Test
    void anOffsetAnOpenTransactionWillCommitDoesNotExpireUntilItEnds() {
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        open((group, tp) -> open.get() && group.equals("simple") && tp.equals(t0), (store, c) -> {
            store.commit(
                    "simple",
                    Map.of(
                            t0, new CommittedOffset(3, -1, "", timer.nowMs()),
                            other, new CommittedOffset(4, -1, "", timer.nowMs())));
            timer.advance(RETENTION + CHECK_EVERY);
            assertNotNull(store.fetch("simple", t0), "the transaction still holds an offset of t-0");
            assertNull(store.fetch("simple", other), "other partitions of the group expire as usual");
            open.set(false); // the transaction ended
            timer.advance(CHECK_EVERY);
            assertNull(store.fetch("simple", t0));
        });
    }

    @Test
    void offsetsOfASimpleConsumerExpireRetentionAfterTheirCommit() {
        open((store, c) -> {
            store.commit("simple", Map.of(t0, new CommittedOffset(3, -1, "", timer.nowMs())));
            timer.advance(RETENTION - CHECK_EVERY);
            assertNotNull(store.fetch("simple", t0));
            timer.advance(2 * CHECK_EVERY);
            assertNull(store.fetch("simple", t0));
        });
        open((store, c) -> assertNull(store.fetch("simple", t0))); // the tombstone is on disk
    }

    @Test
    void aCommitsOwnRetentionTimeDecidesItsExpiry() {
        open((store, c) -> {
            long now = timer.nowMs();
            store.commit(
                    "simple",
                    Map.of(
                            t0,
                            new CommittedOffset(3, -1, "", now, now + 5 * CHECK_EVERY),
                            other,
                            new CommittedOffset(4, -1, "", now)));
            timer.advance(6 * CHECK_EVERY);
            assertNull(store.fetch("simple", t0)); // its own 5 s, not the broker's minute
            assertNotNull(store.fetch("simple", other));
        });
        open((store, c) -> {
            assertNull(store.fetch("simple", t0));
            assertEquals(-1, store.fetch("simple", other).expireTimestamp());
        });
    }

    @Test
    void anEmptyGroupsOffsetsExpireRetentionAfterItBecameEmptyAndTheGroupGoes() {
        open((store, c) -> {
            String id = c.join(join("")).join().memberId();
            c.join(join(id, "t")).join();
            c.sync(GROUP, 1, id, null, "consumer", "range", Map.of(id, new byte[0]), (short) 5)
                    .join();
            // committed long ago: while the group has members that does not count
            store.commit(GROUP, Map.of(t0, new CommittedOffset(5, -1, "", timer.nowMs() - 10 * RETENTION)));
            timer.advance(2 * CHECK_EVERY);
            assertNotNull(store.fetch(GROUP, t0));
            assertEquals(List.of(Errors.NONE), c.leave(GROUP, List.of(new GroupCoordinator.Leaving(id, null))));
            assertEquals(GroupState.EMPTY, c.state(GROUP));
            timer.advance(RETENTION - CHECK_EVERY);
            assertNotNull(store.fetch(GROUP, t0)); // retention counts from when the group became empty
            timer.advance(2 * CHECK_EVERY);
            assertNull(store.fetch(GROUP, t0));
            assertNull(c.state(GROUP)); // empty and without offsets: deleted, as Kafka deletes it
        });
        open((store, c) -> {
            assertNull(store.fetch(GROUP, t0));
            assertNull(c.state(GROUP));
        });
    }

    @Test
    void aStableGroupKeepsOffsetsOfTopicsItSubscribesTo() {
        open((store, c) -> {
            String id = c.join(join("")).join().memberId();
            c.join(join(id, "t")).join();
            c.sync(GROUP, 1, id, null, "consumer", "range", Map.of(id, new byte[0]), (short) 5)
                    .join();
            long old = timer.nowMs() - 10 * RETENTION;
            store.commit(
                    GROUP, Map.of(t0, new CommittedOffset(5, -1, "", old), other, new CommittedOffset(6, -1, "", old)));
            c.heartbeat(GROUP, id, null, 1);
            timer.advance(CHECK_EVERY + 1);
            assertEquals(GroupState.STABLE, c.state(GROUP));
            assertNotNull(store.fetch(GROUP, t0));
            assertNull(store.fetch(GROUP, other));
        });
    }
}
