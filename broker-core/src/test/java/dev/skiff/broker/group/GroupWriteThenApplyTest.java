package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static dev.skiff.broker.group.GroupTestSupport.staticJoin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.FailingLogs;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.internal.records.GroupMetadataValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.SyncGroupResponseData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group side of write-then-apply: what live operations leave in memory is exactly what replaying the
 * records they wrote gives a fresh store and coordinator, and a write that fails changes nothing.
 */
class GroupWriteThenApplyTest {

    @TempDir
    Path dir;

    private final ManualTimer timer = new ManualTimer();
    private final TopicPartition t0 = new TopicPartition("t", 0);
    private final TopicPartition t1 = new TopicPartition("t", 1);

    private record Snapshot(
            Map<String, Map<TopicPartition, CommittedOffset>> offsets,
            Map<String, GroupMetadataValueData> metadata,
            Map<String, Integer> generations) {}

    private static Snapshot snapshot(OffsetStore store, GroupCoordinator c, List<String> groups) {
        Map<String, Map<TopicPartition, CommittedOffset>> offsets = new HashMap<>();
        store.groupsWithOffsets().forEach(g -> offsets.put(g, store.fetchAll(g)));
        Map<String, Integer> generations = new HashMap<>();
        groups.forEach(g -> generations.put(g, c.generation(g)));
        return new Snapshot(offsets, store.groupMetadata(), generations);
    }

    @Test
    void stateAfterLiveOperationsEqualsStateAfterReplayingTheRecords() {
        BrokerConfig config = BrokerConfig.defaults();
        List<String> groups = List.of(GROUP, "simple", "gone");
        Snapshot live;
        TopicManager topics = new TopicManager(config, LogFactory.files(dir));
        try {
            OffsetStore store = new OffsetStore(topics, config);
            GroupCoordinator c = new GroupCoordinator(store, timer, 0, 1000, 300_000);
            // a group through two generations, a static member replaced in the stable group
            String a = c.join(staticJoin("", "instance-a", "t")).join().memberId();
            c.sync(GROUP, 1, a, "instance-a", "consumer", "range", Map.of(a, new byte[] {1}), (short) 5)
                    .join();
            String b = c.join(join("")).join().memberId();
            CompletableFuture<?> bJoined = c.join(join(b, "t"));
            c.join(staticJoin(a, "instance-a", "t")).join();
            bJoined.join();
            c.sync(GROUP, 2, a, "instance-a", "consumer", "range", Map.of(a, new byte[] {2}, b, new byte[] {3}), (short)
                            5)
                    .join();
            String a2 = c.join(staticJoin("", "instance-a", "t")).join().memberId();
            assertNotEquals(a, a2);
            store.commit(GROUP, Map.of(t0, new CommittedOffset(5, 1, "m", 10), t1, new CommittedOffset(6, -1, "", 11)));
            store.commit(GROUP, Map.of(t0, new CommittedOffset(7, 1, null, 12)));
            store.commit("simple", Map.of(t1, new CommittedOffset(1, -1, "x", 13)));
            store.commit("gone", Map.of(t1, new CommittedOffset(2, -1, "", 14)));
            store.delete(GROUP, Set.of(t1));
            c.delete("gone");
            live = snapshot(store, c, groups);
            assertEquals(a2, live.metadata().get(GROUP).members().get(0).memberId());
            assertEquals(
                    Map.of(t0, new CommittedOffset(7, 1, "", 12)),
                    live.offsets().get(GROUP));
        } finally {
            topics.close();
        }
        topics = new TopicManager(config, LogFactory.files(dir));
        try {
            OffsetStore store = new OffsetStore(topics, config);
            GroupCoordinator c = new GroupCoordinator(store, timer, 0, 1000, 300_000);
            assertEquals(live, snapshot(store, c, groups));
        } finally {
            topics.close();
        }
    }

    @Test
    void aFailedAppendLeavesStateUnchangedAndAnswersKafkasError() {
        BrokerConfig config = BrokerConfig.defaults();
        FailingLogs logs = new FailingLogs(LogFactory.memory());
        TopicManager topics = new TopicManager(config, logs);
        try {
            OffsetStore store = new OffsetStore(topics, config);
            GroupCoordinator c = new GroupCoordinator(store, timer, 0, 1000, 300_000);
            store.commit(GROUP, Map.of(t0, new CommittedOffset(5, -1, "", 1)));
            store.commit("simple", Map.of(t1, new CommittedOffset(1, -1, "", 1)));
            String id = c.join(join("")).join().memberId();
            c.join(join(id, "t")).join();
            GroupMetadataValueData before = store.groupMetadata().get(GROUP);

            logs.failing = true;
            ApiException e = assertThrows(
                    ApiException.class, () -> store.commit(GROUP, Map.of(t0, new CommittedOffset(9, -1, "", 2))));
            assertEquals(Errors.NOT_COORDINATOR, e.error()); // Kafka: KAFKA_STORAGE_ERROR -> NOT_COORDINATOR
            assertEquals(5, store.fetch(GROUP, t0).offset());
            SyncGroupResponseData sync = c.sync(
                            GROUP, 1, id, null, "consumer", "range", Map.of(id, new byte[] {1}), (short) 5)
                    .join();
            assertEquals(Errors.NOT_COORDINATOR.code(), sync.errorCode());
            assertEquals(before, store.groupMetadata().get(GROUP)); // the assignment was not applied
            assertNotEquals(GroupState.STABLE, c.state(GROUP));
            assertEquals(
                    Errors.NOT_COORDINATOR,
                    assertThrows(ApiException.class, () -> c.delete("simple")).error());
            assertEquals(1, store.fetch("simple", t1).offset());

            logs.failing = false;
            store.commit(GROUP, Map.of(t0, new CommittedOffset(9, -1, "", 2)));
            assertEquals(9, store.fetch(GROUP, t0).offset());
        } finally {
            topics.close();
        }
    }

    @Test
    void stringsARecordCannotHoldAreRefusedBeforeAnythingIsWritten() {
        BrokerConfig config = BrokerConfig.of(Map.of("offset.metadata.max.bytes", "10"));
        TopicManager topics = new TopicManager(config, LogFactory.memory());
        try {
            OffsetStore store = new OffsetStore(topics, config);
            GroupCoordinator c = new GroupCoordinator(store, timer, 0, 1000, 300_000);
            String longId = "g".repeat(40_000);
            assertEquals(
                    Errors.INVALID_GROUP_ID,
                    assertThrows(
                                    ApiException.class,
                                    () -> store.commit(longId, Map.of(t0, new CommittedOffset(1, -1, "", 1))))
                            .error());
            assertEquals(
                    Errors.INVALID_GROUP_ID,
                    assertThrows(ApiException.class, () -> c.validateCommit(longId, -1, "", null))
                            .error());
            assertEquals(Errors.OFFSET_METADATA_TOO_LARGE, store.metadataError("x".repeat(11)));
            assertEquals(Errors.NONE, store.metadataError("x".repeat(10)));
            assertEquals(
                    Errors.OFFSET_METADATA_TOO_LARGE,
                    assertThrows(
                                    ApiException.class,
                                    () -> store.commit(
                                            GROUP, Map.of(t0, new CommittedOffset(1, -1, "x".repeat(11), 1))))
                            .error());
            JoinRequest longGroup = new JoinRequest(
                    longId,
                    "",
                    null,
                    "consumer",
                    List.of(new GroupProtocol("range", GroupTestSupport.subscription("t"))),
                    10_000,
                    30_000,
                    "c",
                    "/h",
                    (short) 9);
            assertEquals(
                    Errors.INVALID_GROUP_ID.code(), c.join(longGroup).join().errorCode());
            JoinRequest longInstance = staticJoin("", "i".repeat(32_740), "t");
            assertEquals(
                    Errors.INVALID_REQUEST.code(), c.join(longInstance).join().errorCode());
            JoinRequest longClient = new JoinRequest(
                    GROUP,
                    "",
                    null,
                    "consumer",
                    List.of(new GroupProtocol("range", GroupTestSupport.subscription("t"))),
                    10_000,
                    30_000,
                    "c".repeat(32_767),
                    "/h",
                    (short) 3);
            assertEquals(
                    Errors.INVALID_REQUEST.code(), c.join(longClient).join().errorCode());
            assertNull(topics.get(OffsetStore.TOPIC)); // nothing was ever written
            assertNull(c.state(GROUP));
        } finally {
            topics.close();
        }
    }
}
