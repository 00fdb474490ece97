package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.internal.records.GroupMetadataValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatRequestData;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatResponseData;
import dev.skiff.protocol.message.JoinGroupResponseData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-848's online downgrade: when the last member using the consumer protocol leaves a consumer group whose other
 * members use the classic protocol, the group's records are deleted and a classic group of those members is
 * written in the same batch (at the group's epoch, each with its target assignment); it then rebalances, and a
 * restart finds a classic group. The migration policy {@code upgrade} keeps the consumer group.
 */
class ConsumerGroupDowngradeTest {

    @TempDir
    Path dir;

    private final ManualTimer timer = new ManualTimer();

    private static BrokerConfig config(String policy) {
        return BrokerConfig.of(Map.of(
                "group.consumer.migration.policy", policy,
                "group.initial.rebalance.delay.ms", "0",
                "group.min.session.timeout.ms", "1000"));
    }

    /** A group coordinator over the topics and offsets of the test's data dir; closing it closes the topics. */
    private record Node(TopicManager topics, OffsetStore store, GroupCoordinator coordinator) implements AutoCloseable {
        @Override
        public void close() {
            topics.close();
        }
    }

    /** Opens the data dir under {@code config}, first creating topic "t" (4 partitions) when asked. */
    private Node start(BrokerConfig config, boolean createTopic) {
        TopicManager topics = new TopicManager(config, LogFactory.files(dir));
        try {
            if (createTopic) topics.create("t", 4, Map.of());
            OffsetStore store = new OffsetStore(topics, config);
            return new Node(
                    topics, store, new GroupCoordinator(store, config, timer, GroupCoordinator.PendingOffsets.NONE));
        } catch (RuntimeException | Error e) {
            topics.close();
            throw e;
        }
    }

    private static ConsumerGroupHeartbeatResponseData heartbeat(GroupCoordinator c, String member, int epoch) {
        ConsumerGroupHeartbeatRequestData r = new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(member)
                .setMemberEpoch(epoch);
        if (epoch == 0)
            r.setRebalanceTimeoutMs(30_000)
                    .setSubscribedTopicNames(List.of("t"))
                    .setTopicPartitions(new ArrayList<>());
        return c.consumerGroups().heartbeat(r, "client", "/127.0.0.1", (short) 1);
    }

    /** A classic member joining the consumer group (two rounds: the member id first). */
    private static JoinGroupResponseData classicJoin(GroupCoordinator c) {
        JoinGroupResponseData first = c.join(join("", "t")).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        JoinGroupResponseData second = c.join(join(first.memberId(), "t")).join();
        assertEquals(0, second.errorCode(), "the classic member joins the consumer group");
        return second;
    }

    @Test
    void theLastConsumerProtocolMemberLeavingMakesAClassicGroupThatRebalances() {
        BrokerConfig config = config("bidirectional");
        String a;
        String b;
        int epoch;
        try (Node n = start(config, true)) {
            OffsetStore store = n.store();
            GroupCoordinator c = n.coordinator();
            heartbeat(c, "consumer-1", 0);
            a = classicJoin(c).memberId();
            b = classicJoin(c).memberId();
            assertTrue(c.consumerGroups().isConsumerGroup(GROUP));
            epoch = store.consumerGroup(GROUP).epoch;

            heartbeat(c, "consumer-1", -1);

            assertFalse(c.consumerGroups().isConsumerGroup(GROUP), "no longer a consumer group");
            assertNull(store.consumerGroup(GROUP), "every ConsumerGroup* record is deleted");
            GroupMetadataValueData record = store.groupMetadata().get(GROUP);
            assertNotNull(record, "the classic group is written");
            assertEquals(epoch, record.generation(), "at the consumer group's epoch");
            assertEquals("consumer", record.protocolType());
            assertEquals("range", record.protocol());
            assertEquals(a, record.leader(), "the first member leads");
            Set<String> ids = new HashSet<>();
            for (GroupMetadataValueData.MemberMetadata m : record.members()) {
                ids.add(m.memberId());
                assertEquals(GroupTestSupport.SESSION, m.sessionTimeout());
                assertEquals(GroupTestSupport.REBALANCE, m.rebalanceTimeout());
                assertNotNull(ClassicConsumerProtocol.assignment(m.assignment()), "a readable assignment");
            }
            assertEquals(Set.of(a, b), ids);
            assertEquals(GroupState.PREPARING_REBALANCE, c.state(GROUP), "the classic group rebalances");
            assertTrue(c.listAll().stream()
                    .anyMatch(l -> l.groupId().equals(GROUP) && l.type().equals("classic")));

            // the members hear of the rebalance, rejoin and sync a new generation
            ApiException e = assertThrows(ApiException.class, () -> c.heartbeat(GROUP, a, null, epoch));
            assertEquals(Errors.REBALANCE_IN_PROGRESS, e.error());
            CompletableFuture<JoinGroupResponseData> aJoin = c.join(join(a, "t"));
            JoinGroupResponseData bJoined = c.join(join(b, "t")).join();
            JoinGroupResponseData aJoined = aJoin.join();
            assertEquals(epoch + 1, aJoined.generationId());
            assertEquals(epoch + 1, bJoined.generationId());
            assertEquals(a, aJoined.leader());
            c.sync(GROUP, epoch + 1, a, null, "consumer", "range", Map.of(a, new byte[] {1}, b, new byte[] {2}), (short)
                            5)
                    .join();
            assertEquals(GroupState.STABLE, c.state(GROUP));
        }

        try (Node n = start(config, false)) {
            OffsetStore store = n.store();
            GroupCoordinator c = n.coordinator();
            assertTrue(store.consumerGroupIds().isEmpty(), "no consumer group comes back");
            assertFalse(c.consumerGroups().isConsumerGroup(GROUP));
            assertEquals(epoch + 1, c.generation(GROUP), "the classic group comes back");
            assertTrue(c.listAll().stream()
                    .anyMatch(l -> l.groupId().equals(GROUP) && l.type().equals("classic")));
        }
    }

    @Test
    void theUpgradePolicyKeepsAConsumerGroupOfClassicMembers() {
        BrokerConfig config = config("upgrade");
        try (Node n = start(config, true)) {
            OffsetStore store = n.store();
            GroupCoordinator c = n.coordinator();
            heartbeat(c, "consumer-1", 0);
            String a = classicJoin(c).memberId();
            heartbeat(c, "consumer-1", -1);
            assertTrue(c.consumerGroups().isConsumerGroup(GROUP), "still a consumer group");
            assertEquals(Set.of(a), store.consumerGroup(GROUP).members.keySet());
            assertNull(store.groupMetadata().get(GROUP));
        }
    }

    @Test
    void aSessionThatEndsDowngradesTooAndTheLastMemberLeavingLeavesAnEmptyConsumerGroup() {
        BrokerConfig config = config("downgrade");
        try (Node n = start(config, true)) {
            OffsetStore store = n.store();
            GroupCoordinator c = n.coordinator();
            heartbeat(c, "consumer-1", 0);
            // alone, the consumer-protocol member leaving empties the group: it stays a consumer group
            heartbeat(c, "consumer-1", -1);
            assertTrue(c.consumerGroups().isConsumerGroup(GROUP));
            heartbeat(c, "consumer-2", 0);
            String a = classicJoin(c).memberId();
            // the consumer-protocol member stops heartbeating; the classic one keeps its session
            for (int i = 0; i < 10; i++) {
                timer.advance(5_000);
                try {
                    c.heartbeat(GROUP, a, null, store.consumerGroup(GROUP) == null ? -1 : currentEpoch(store, a));
                } catch (ApiException ignored) {
                    // REBALANCE_IN_PROGRESS while the server has something new for it, or after the downgrade
                }
                if (!c.consumerGroups().isConsumerGroup(GROUP)) break;
            }
            assertFalse(c.consumerGroups().isConsumerGroup(GROUP), "downgraded when the session ended");
            assertEquals(
                    List.of(a),
                    store.groupMetadata().get(GROUP).members().stream()
                            .map(GroupMetadataValueData.MemberMetadata::memberId)
                            .toList());
        }
    }

    @Test
    void aClassicStaticMemberTakingTheLastConsumerMembersPlaceDowngradesWithoutARebalance() {
        BrokerConfig config = config("bidirectional");
        try (Node n = start(config, true)) {
            OffsetStore store = n.store();
            GroupCoordinator c = n.coordinator();
            ConsumerGroupHeartbeatRequestData staticJoin = new ConsumerGroupHeartbeatRequestData()
                    .setGroupId(GROUP)
                    .setMemberId("s1")
                    .setInstanceId("i1")
                    .setMemberEpoch(0)
                    .setRebalanceTimeoutMs(30_000)
                    .setSubscribedTopicNames(List.of("t"))
                    .setTopicPartitions(new ArrayList<>());
            c.consumerGroups().heartbeat(staticJoin, "client", "/127.0.0.1", (short) 1);
            String a = classicJoin(c).memberId();
            ConsumerGroupState before = store.consumerGroup(GROUP);
            int epoch = before.epoch;
            Map<dev.skiff.protocol.types.Uuid, Set<Integer>> s1Target = before.target.get("s1");
            // the static member leaves for a while; a classic consumer with its instance id comes instead
            c.consumerGroups()
                    .heartbeat(
                            new ConsumerGroupHeartbeatRequestData()
                                    .setGroupId(GROUP)
                                    .setMemberId("s1")
                                    .setInstanceId("i1")
                                    .setMemberEpoch(-2),
                            "client",
                            "/127.0.0.1",
                            (short) 1);
            JoinGroupResponseData joined =
                    c.join(GroupTestSupport.staticJoin("", "i1", "t")).join();
            assertEquals(0, joined.errorCode());
            assertEquals(epoch, joined.generationId(), "the classic group's generation");

            assertFalse(c.consumerGroups().isConsumerGroup(GROUP), "no longer a consumer group");
            assertNull(store.consumerGroup(GROUP));
            assertEquals(GroupState.STABLE, c.state(GROUP), "the same subscription: no rebalance");
            GroupMetadataValueData record = store.groupMetadata().get(GROUP);
            assertEquals(
                    List.of(a, joined.memberId()),
                    record.members().stream()
                            .map(GroupMetadataValueData.MemberMetadata::memberId)
                            .toList());
            // the new member syncs and gets what the member it replaced was to have
            byte[] assignment = c.sync(GROUP, epoch, joined.memberId(), "i1", "consumer", "range", Map.of(), (short) 5)
                    .join()
                    .assignment();
            int expected = s1Target.values().stream().mapToInt(Set::size).sum();
            assertEquals(
                    expected,
                    ClassicConsumerProtocol.assignment(assignment).values().stream()
                            .mapToInt(List::size)
                            .sum());
            assertTrue(expected > 0);
        }
    }

    private static int currentEpoch(OffsetStore store, String member) {
        ConsumerGroupState.Current cur = store.consumerGroup(GROUP).current.get(member);
        return cur == null ? -1 : cur.memberEpoch();
    }
}
