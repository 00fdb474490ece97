package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.REBALANCE;
import static dev.skiff.broker.group.GroupTestSupport.SESSION;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static dev.skiff.broker.group.GroupTestSupport.staticJoin;
import static dev.skiff.broker.group.GroupTestSupport.subscription;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.TopicPartition;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.SyncGroupResponseData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The classic group state machine, driven directly with a manual clock. */
class GroupCoordinatorTest {

    private final ManualTimer timer = new ManualTimer();
    private GroupCoordinator coordinator = new GroupCoordinator(null, timer, 0, 1000, 300_000);

    /** The first JoinGroup of a v4+ dynamic member: MEMBER_ID_REQUIRED with the id to use. */
    private String memberIdFor(JoinRequest first) {
        JoinGroupResponseData r = coordinator.join(first).join();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), r.errorCode());
        assertFalse(r.memberId().isEmpty());
        return r.memberId();
    }

    private static JoinGroupResponseData done(CompletableFuture<JoinGroupResponseData> f) {
        assertTrue(f.isDone(), "join should be answered");
        return f.join();
    }

    private CompletableFuture<SyncGroupResponseData> sync(
            String member, int generation, Map<String, byte[]> assignments) {
        return coordinator.sync(GROUP, generation, member, null, "consumer", "range", assignments, (short) 5);
    }

    private static byte[] bytes(String s) {
        return s.getBytes();
    }

    /** Forms a stable group of {@code n} dynamic members; returns their ids, the leader first. */
    private List<String> stableGroup(int n) {
        String leader = memberIdFor(join(""));
        done(coordinator.join(join(leader, "t")));
        sync(leader, 1, Map.of(leader, bytes(leader))).join();
        if (n == 1) return List.of(leader);
        Map<String, CompletableFuture<JoinGroupResponseData>> joins = new LinkedHashMap<>();
        for (int i = 1; i < n; i++) {
            String id = memberIdFor(join(""));
            joins.put(id, coordinator.join(join(id, "t")));
        }
        JoinGroupResponseData leaderJoin = done(coordinator.join(join(leader, "t")));
        assertEquals(leader, leaderJoin.leader());
        int gen = generation();
        Map<String, CompletableFuture<SyncGroupResponseData>> syncs = new LinkedHashMap<>();
        joins.keySet().forEach(id -> syncs.put(id, sync(id, gen, Map.of())));
        Map<String, byte[]> assignment = new LinkedHashMap<>();
        assignment.put(leader, bytes(leader));
        joins.keySet().forEach(id -> assignment.put(id, bytes(id)));
        assertArrayEquals(bytes(leader), sync(leader, gen, assignment).join().assignment());
        syncs.forEach((id, f) -> assertArrayEquals(bytes(id), f.join().assignment()));
        assertEquals(GroupState.STABLE, coordinator.state(GROUP));
        List<String> ids = new java.util.ArrayList<>();
        ids.add(leader);
        ids.addAll(joins.keySet());
        return ids;
    }

    private int generation() {
        return coordinator.generation(GROUP);
    }

    @Test
    void firstMemberGetsAnIdThenBecomesLeaderOfGenerationOne() {
        String id = memberIdFor(join(""));
        assertEquals(GroupState.EMPTY, coordinator.state(GROUP));
        JoinGroupResponseData r = done(coordinator.join(join(id, "t")));
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(1, r.generationId());
        assertEquals(id, r.leader());
        assertEquals("range", r.protocolName());
        assertEquals(1, r.members().size());
        assertArrayEquals(subscription("t"), r.members().get(0).metadata());
        assertEquals(GroupState.COMPLETING_REBALANCE, coordinator.state(GROUP));

        SyncGroupResponseData s = sync(id, 1, Map.of(id, bytes("mine"))).join();
        assertArrayEquals(bytes("mine"), s.assignment());
        assertEquals(GroupState.STABLE, coordinator.state(GROUP));
        coordinator.heartbeat(GROUP, id, null, 1);
        assertEquals(
                Errors.ILLEGAL_GENERATION,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, id, null, 7))
                        .error());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, "nobody", null, 1))
                        .error());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID,
                assertThrows(ApiException.class, () -> coordinator.heartbeat("other", id, null, 1))
                        .error());
    }

    @Test
    void oldVersionsJoinWithoutTheMemberIdRound() {
        JoinRequest v3 = join("", null, (short) 3, List.of(new GroupProtocol("range", subscription("t"))));
        JoinGroupResponseData r = done(coordinator.join(v3));
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(r.memberId(), r.leader());
        assertEquals("range", r.protocolName());
    }

    @Test
    void aJoiningMemberMakesEveryoneRejoinAndFollowersWaitForTheLeadersAssignment() {
        String a = stableGroup(1).get(0);
        String b = memberIdFor(join(""));
        CompletableFuture<JoinGroupResponseData> bJoin = coordinator.join(join(b, "t"));
        assertFalse(bJoin.isDone(), "waits for the known member to rejoin");
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.state(GROUP));
        assertEquals(
                Errors.REBALANCE_IN_PROGRESS,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, a, null, 1))
                        .error());
        // commits of the current generation are still accepted while the group prepares (onPartitionsRevoked)
        coordinator.validateCommit(GROUP, 1, a, null);

        JoinGroupResponseData aJoined = done(coordinator.join(join(a, "t")));
        JoinGroupResponseData bJoined = done(bJoin);
        assertEquals(2, aJoined.generationId());
        assertEquals(2, bJoined.generationId());
        assertEquals(a, aJoined.leader());
        assertEquals(2, aJoined.members().size());
        assertTrue(bJoined.members().isEmpty());
        assertEquals(
                Errors.REBALANCE_IN_PROGRESS,
                assertThrows(ApiException.class, () -> coordinator.validateCommit(GROUP, 2, a, null))
                        .error());

        CompletableFuture<SyncGroupResponseData> bSync = sync(b, 2, Map.of());
        assertFalse(bSync.isDone());
        SyncGroupResponseData aSync =
                sync(a, 2, Map.of(a, bytes("A"), b, bytes("B"))).join();
        assertArrayEquals(bytes("A"), aSync.assignment());
        assertArrayEquals(bytes("B"), bSync.join().assignment());
        assertEquals(GroupState.STABLE, coordinator.state(GROUP));
        assertEquals(
                Errors.ILLEGAL_GENERATION,
                assertThrows(ApiException.class, () -> coordinator.validateCommit(GROUP, 1, a, null))
                        .error());
        coordinator.validateCommit(GROUP, 2, b, null);
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID,
                assertThrows(ApiException.class, () -> coordinator.validateCommit(GROUP, -1, "", null))
                        .error());
    }

    @Test
    void membersThatDoNotRejoinBeforeTheRebalanceTimeoutAreRemoved() {
        List<String> ids = stableGroup(2);
        String a = ids.get(0), b = ids.get(1);
        String c = memberIdFor(join(""));
        CompletableFuture<JoinGroupResponseData> cJoin = coordinator.join(join(c, "t"));
        CompletableFuture<JoinGroupResponseData> aJoin = coordinator.join(join(a, "t"));
        for (int i = 0; i < 5; i++) {
            timer.advance(REBALANCE / 6);
            ApiException rejoin = // alive, but never rejoins
                    assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, b, null, generation()));
            assertEquals(Errors.REBALANCE_IN_PROGRESS, rejoin.error());
        }
        assertFalse(aJoin.isDone());
        timer.advance(REBALANCE);
        assertEquals(2, done(aJoin).members().size());
        assertEquals(3, done(cJoin).generationId());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, b, null, 3))
                        .error());
    }

    @Test
    void anExpiredSessionRemovesTheMemberAndRebalances() {
        List<String> ids = stableGroup(2);
        String a = ids.get(0), b = ids.get(1);
        for (int i = 0; i < 4; i++) {
            timer.advance(SESSION / 3);
            if (coordinator.state(GROUP) == GroupState.STABLE) coordinator.heartbeat(GROUP, a, null, 2);
        }
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.state(GROUP));
        assertEquals(
                Errors.REBALANCE_IN_PROGRESS,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, a, null, 2))
                        .error());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, b, null, 2))
                        .error());
        JoinGroupResponseData r = done(coordinator.join(join(a, "t")));
        assertEquals(3, r.generationId());
        assertEquals(1, r.members().size());
    }

    @Test
    void leavingMembersTriggerARebalanceAndTheLastOneEmptiesTheGroup() {
        List<String> ids = stableGroup(2);
        String a = ids.get(0), b = ids.get(1);
        assertEquals(
                List.of(Errors.UNKNOWN_MEMBER_ID),
                coordinator.leave(GROUP, List.of(new GroupCoordinator.Leaving("x", null))));
        assertEquals(List.of(Errors.NONE), coordinator.leave(GROUP, List.of(new GroupCoordinator.Leaving(b, null))));
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.state(GROUP));
        done(coordinator.join(join(a, "t")));
        assertEquals(GroupState.COMPLETING_REBALANCE, coordinator.state(GROUP));
        int gen = generation();
        assertEquals(List.of(Errors.NONE), coordinator.leave(GROUP, List.of(new GroupCoordinator.Leaving(a, null))));
        assertEquals(GroupState.EMPTY, coordinator.state(GROUP));
        assertEquals(gen + 1, generation());
        coordinator.validateCommit(GROUP, -1, "", null);
        coordinator.delete(GROUP);
        assertEquals(null, coordinator.state(GROUP));
    }

    @Test
    void aStaticMemberRestartingWithTheSameSubscriptionReplacesItsOldIdWithoutARebalance() {
        JoinGroupResponseData first = done(coordinator.join(staticJoin("", "instance-a", "t")));
        String a = first.memberId();
        assertTrue(a.startsWith("instance-a-"));
        String b = memberIdFor(join(""));
        CompletableFuture<JoinGroupResponseData> bJoin = coordinator.join(join(b, "t"));
        sync(a, 1, Map.of()); // a's generation-1 sync is void: b's join starts generation 2
        JoinGroupResponseData aJoin = done(coordinator.join(staticJoin(a, "instance-a", "t")));
        done(bJoin);
        CompletableFuture<SyncGroupResponseData> bSync = sync(b, 2, Map.of());
        coordinator
                .sync(GROUP, 2, a, "instance-a", "consumer", "range", Map.of(a, bytes("A"), b, bytes("B")), (short) 5)
                .join();
        assertArrayEquals(bytes("B"), bSync.join().assignment());
        assertEquals(2, aJoin.generationId());

        // restart: a new member id for the same instance, same topics
        JoinGroupResponseData again = done(coordinator.join(staticJoin("", "instance-a", "t")));
        assertEquals(Errors.NONE.code(), again.errorCode());
        assertNotEquals(a, again.memberId());
        assertEquals(2, again.generationId());
        assertTrue(again.skipAssignment(), "the static leader must not assign again");
        assertEquals(GroupState.STABLE, coordinator.state(GROUP));
        assertEquals(
                Errors.FENCED_INSTANCE_ID,
                assertThrows(ApiException.class, () -> coordinator.heartbeat(GROUP, a, "instance-a", 2))
                        .error());
        SyncGroupResponseData s = coordinator
                .sync(GROUP, 2, again.memberId(), "instance-a", "consumer", "range", Map.of(), (short) 5)
                .join();
        assertArrayEquals(bytes("A"), s.assignment());
        coordinator.heartbeat(GROUP, b, null, 2);
        assertEquals(
                Errors.FENCED_INSTANCE_ID,
                assertThrows(ApiException.class, () -> coordinator.validateCommit(GROUP, 2, a, "instance-a"))
                        .error());
        assertEquals(
                List.of(Errors.FENCED_INSTANCE_ID),
                coordinator.leave(GROUP, List.of(new GroupCoordinator.Leaving(a, "instance-a"))));
        assertEquals(
                List.of(Errors.NONE),
                coordinator.leave(GROUP, List.of(new GroupCoordinator.Leaving("", "instance-a"))));
        assertEquals(GroupState.PREPARING_REBALANCE, coordinator.state(GROUP));
    }

    @Test
    void aStaticMemberWithAChangedSubscriptionCausesARebalance() {
        String a = done(coordinator.join(staticJoin("", "i", "t"))).memberId();
        coordinator
                .sync(GROUP, 1, a, "i", "consumer", "range", Map.of(a, bytes("A")), (short) 5)
                .join();
        CompletableFuture<JoinGroupResponseData> again = coordinator.join(staticJoin("", "i", "t", "u"));
        JoinGroupResponseData r = done(again);
        assertEquals(2, r.generationId());
        assertEquals(GroupState.COMPLETING_REBALANCE, coordinator.state(GROUP));
    }

    @Test
    void theProtocolMostMembersPreferWins() {
        byte[] m = subscription("t");
        JoinRequest a = join("", null, (short) 3, List.of(new GroupProtocol("range", m), new GroupProtocol("rr", m)));
        JoinRequest b = join("", null, (short) 3, List.of(new GroupProtocol("rr", m), new GroupProtocol("range", m)));
        JoinRequest c = join("", null, (short) 3, List.of(new GroupProtocol("rr", m), new GroupProtocol("sticky", m)));
        coordinator = new GroupCoordinator(null, timer, 1000, 1000, 300_000);
        CompletableFuture<JoinGroupResponseData> fa = coordinator.join(a);
        CompletableFuture<JoinGroupResponseData> fb = coordinator.join(b);
        CompletableFuture<JoinGroupResponseData> fc = coordinator.join(c);
        assertFalse(fa.isDone(), "the initial delay holds the first rebalance");
        timer.advance(999);
        assertFalse(fa.isDone());
        timer.advance(1);
        assertFalse(fa.isDone(), "members that came during the delay extend it once more");
        timer.advance(1000);
        assertEquals("rr", done(fa).protocolName());
        assertEquals("rr", done(fc).protocolName());
        assertEquals(
                3,
                done(fa).members().size()
                        + done(fb).members().size()
                        + done(fc).members().size());

        JoinRequest other = join("", null, (short) 3, List.of(new GroupProtocol("sticky", m)));
        assertEquals(
                Errors.INCONSISTENT_GROUP_PROTOCOL.code(),
                coordinator.join(other).join().errorCode());
        JoinRequest badType = new JoinRequest(
                GROUP, "", null, "connect", List.of(new GroupProtocol("rr", m)), SESSION, REBALANCE, "c", "h", (short)
                        3);
        assertEquals(
                Errors.INCONSISTENT_GROUP_PROTOCOL.code(),
                coordinator.join(badType).join().errorCode());
    }

    @Test
    void syncChecksProtocolAndJoinChecksSessionTimeout() {
        String a = stableGroup(1).get(0);
        SyncGroupResponseData wrong = coordinator
                .sync(GROUP, 1, a, null, "consumer", "roundrobin", Map.of(), (short) 5)
                .join();
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), wrong.errorCode());
        JoinRequest tooShort = new JoinRequest(
                GROUP,
                "",
                null,
                "consumer",
                List.of(new GroupProtocol("range", subscription("t"))),
                10,
                REBALANCE,
                "c",
                "h",
                (short) 9);
        assertEquals(
                Errors.INVALID_SESSION_TIMEOUT.code(),
                coordinator.join(tooShort).join().errorCode());
        assertEquals(
                Errors.UNKNOWN_MEMBER_ID.code(),
                coordinator
                        .join(new JoinRequest(
                                "nope",
                                "m-1",
                                null,
                                "consumer",
                                List.of(new GroupProtocol("range", subscription("t"))),
                                SESSION,
                                REBALANCE,
                                "c",
                                "h",
                                (short) 9))
                        .join()
                        .errorCode());
    }

    @Test
    void offsetsOfSubscribedTopicsCannotBeDeletedWhileMembersAreThere() {
        stableGroup(1);
        Map<TopicPartition, Errors> r =
                coordinator.deleteOffsets(GROUP, List.of(new TopicPartition("t", 0), new TopicPartition("other", 0)));
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC, r.get(new TopicPartition("t", 0)));
        assertEquals(Errors.NONE, r.get(new TopicPartition("other", 0)));
        assertEquals(
                Errors.GROUP_ID_NOT_FOUND,
                assertThrows(ApiException.class, () -> coordinator.deleteOffsets("unknown", List.of()))
                        .error());
        assertEquals(
                Errors.NON_EMPTY_GROUP,
                assertThrows(ApiException.class, () -> coordinator.delete(GROUP))
                        .error());
        assertEquals(GroupState.STABLE, coordinator.describe(GROUP).state());
        assertEquals(1, coordinator.describe(GROUP).members().size());
        assertEquals(1, coordinator.list().size());
    }

    @Test
    void aPendingMemberThatNeverComesBackExpires() {
        String a = stableGroup(1).get(0);
        memberIdFor(join(""));
        assertEquals(GroupState.STABLE, coordinator.state(GROUP), "no rebalance before the id is used");
        for (int i = 0; i < 4; i++) {
            timer.advance(SESSION / 2);
            coordinator.heartbeat(GROUP, a, null, 1);
        }
        assertEquals(GroupState.STABLE, coordinator.state(GROUP));
    }
}
