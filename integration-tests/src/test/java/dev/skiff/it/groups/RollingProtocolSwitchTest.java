package dev.skiff.it.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling switch of a consuming group from the classic protocol to KIP-848's: three classic consumers share six
 * partitions; one at a time is replaced by a {@code group.protocol=consumer} one. The first of those upgrades the
 * group; the classic members left are told to rejoin and get the server's assignment. Every record is read once,
 * in order per partition, and the group ends a consumer group. And back: when the last consumer-protocol member
 * leaves, the group becomes a classic group again (KIP-848's online downgrade) and its members rebalance.
 */
class RollingProtocolSwitchTest {

    /** A broker with topic "orders" (6 partitions) holding 200 records in each partition. */
    private static EmbeddedSkiff brokerWithOrders() throws Exception {
        EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .topic("orders", 6)
                .property("group.initial.rebalance.delay.ms", "0")
                .property("group.min.session.timeout.ms", "1000")
                .property("group.consumer.heartbeat.interval.ms", "200")
                .start();
        try {
            GroupClients.produce(broker, "orders", 6, 200, 1_000_000);
            return broker;
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    /** Polls every member until the group is STABLE (30 s at most). */
    private static void awaitStable(
            Admin admin, String group, String what, List<ConsumerProtocolGroupTest.Member> members) {
        dev.skiff.it.Poll.until(
                Duration.ofSeconds(30),
                what,
                () -> {
                    for (ConsumerProtocolGroupTest.Member m : members) m.poll();
                    return admin.describeConsumerGroups(List.of(group))
                            .all()
                            .get()
                            .get(group)
                            .groupState();
                },
                st -> st == org.apache.kafka.common.GroupState.STABLE);
    }

    /**
     * Polls every member until {@code m}'s client holds the member epoch its coordinator holds for it. A STABLE
     * group can still have a member whose client has not yet heard its latest epoch; its closing commit would
     * carry the older one and be refused with STALE_MEMBER_EPOCH, as Kafka refuses it.
     */
    private static void awaitEpochHeard(
            Admin admin,
            String group,
            List<ConsumerProtocolGroupTest.Member> members,
            ConsumerProtocolGroupTest.Member m) {
        dev.skiff.it.Poll.until(
                Duration.ofSeconds(30),
                "the leaving member to hear its epoch",
                () -> {
                    for (ConsumerProtocolGroupTest.Member x : members) x.poll();
                    org.apache.kafka.clients.consumer.ConsumerGroupMetadata local = m.consumer.groupMetadata();
                    for (org.apache.kafka.clients.admin.MemberDescription d : admin.describeConsumerGroups(
                                    List.of(group))
                            .all()
                            .get()
                            .get(group)
                            .members())
                        if (d.consumerId().equals(local.memberId()))
                            return d.memberEpoch().orElse(-1) == local.generationId();
                    return false;
                },
                heard -> heard);
    }

    @Test
    @Timeout(90)
    void aClassicGroupSwitchesToTheConsumerProtocolOneMemberAtATime() throws Exception {
        try (EmbeddedSkiff broker = brokerWithOrders()) {
            Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
            List<ConsumerProtocolGroupTest.Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++)
                members.add(new ConsumerProtocolGroupTest.Member(GroupClients.consumerProps(broker, "rolling"), seen));
            int switched = 0;
            int nextStep = 150;
            long deadline = System.nanoTime() + Duration.ofSeconds(80).toNanos();
            while (ConsumerProtocolGroupTest.total(seen) < 6 * 200) {
                assertTrue(System.nanoTime() < deadline, "consumed only " + ConsumerProtocolGroupTest.total(seen));
                for (ConsumerProtocolGroupTest.Member m : members) m.poll();
                if (switched < 3 && ConsumerProtocolGroupTest.total(seen) >= nextStep) {
                    ConsumerProtocolGroupTest.Member classic = members.remove(0);
                    classic.consumer.close(); // commits what it gives up, then leaves
                    if (switched == 0) {
                        // let the classic group settle first, so that the upgrade hands over a whole assignment
                        try (Admin admin = GroupClients.admin(broker)) {
                            awaitStable(admin, "rolling", "the classic group to be stable again", members);
                        }
                    }
                    members.add(new ConsumerProtocolGroupTest.Member(
                            ConsumerProtocolGroupTest.props(broker, "rolling"), seen));
                    switched++;
                    nextStep += 250;
                }
            }
            assertEquals(3, switched, "every member should have switched while consuming");
            ConsumerProtocolGroupTest.assertEveryRecordOnceInOrder(seen);
            try (Admin admin = GroupClients.admin(broker)) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("rolling"))
                        .all()
                        .get()
                        .get("rolling");
                assertEquals(GroupType.CONSUMER, d.type());
            }
            for (ConsumerProtocolGroupTest.Member m : members) m.consumer.close();
        }
    }

    @Test
    @Timeout(120)
    void aConsumerGroupSwitchesBackToTheClassicProtocolOneMemberAtATime() throws Exception {
        try (EmbeddedSkiff broker = brokerWithOrders()) {
            Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
            List<ConsumerProtocolGroupTest.Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++)
                members.add(new ConsumerProtocolGroupTest.Member(
                        ConsumerProtocolGroupTest.props(broker, "rolling-back"), seen));
            int switched = 0;
            int nextStep = 150;
            long deadline = System.nanoTime() + Duration.ofSeconds(100).toNanos();
            try (Admin admin = GroupClients.admin(broker)) {
                while (ConsumerProtocolGroupTest.total(seen) < 6 * 200) {
                    assertTrue(System.nanoTime() < deadline, "consumed only " + ConsumerProtocolGroupTest.total(seen));
                    for (ConsumerProtocolGroupTest.Member m : members) m.poll();
                    if (switched < 3 && ConsumerProtocolGroupTest.total(seen) >= nextStep) {
                        // each step starts from a settled group: every member's epoch is the group's
                        awaitStable(admin, "rolling-back", "the consumer group to be stable", members);
                        awaitEpochHeard(admin, "rolling-back", members, members.get(0));
                        ConsumerProtocolGroupTest.Member leaving = members.remove(0);
                        leaving.consumer.close(); // commits what it gives up, then leaves
                        members.add(new ConsumerProtocolGroupTest.Member(
                                GroupClients.consumerProps(broker, "rolling-back"), seen));
                        switched++;
                        nextStep += 250;
                    }
                }
                assertEquals(3, switched, "every member should have switched while consuming");
                ConsumerProtocolGroupTest.assertEveryRecordOnceInOrder(seen);
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("rolling-back"))
                        .all()
                        .get()
                        .get("rolling-back");
                assertEquals(GroupType.CLASSIC, d.type(), "the group is a classic group again");
                assertEquals(3, d.members().size());
                for (ConsumerProtocolGroupTest.Member m : members) m.consumer.close();

                broker.restart();
                GroupListing listed = admin.listGroups().all().get().stream()
                        .filter(g -> g.groupId().equals("rolling-back"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(GroupType.CLASSIC, listed.type().orElseThrow(), "a classic group after a restart");
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
                        committed = admin.listConsumerGroupOffsets("rolling-back")
                                .partitionsToOffsetAndMetadata()
                                .get();
                assertEquals(6, committed.size());
                committed.values().forEach(o -> assertEquals(200, o.offset()));
            }
        }
    }
}
