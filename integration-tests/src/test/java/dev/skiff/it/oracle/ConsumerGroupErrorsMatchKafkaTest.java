package dev.skiff.it.oracle;

import dev.skiff.it.Poll;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KIP-848 consumer groups against Apache Kafka 4: the errors of ConsumerGroupHeartbeat (invalid requests, bad
 * regular expressions, unknown assignors, unknown members, fenced epochs, static members whose instance is taken),
 * the epochs and assignment sizes of a group of two as it forms, OffsetCommit with a stale epoch, and how
 * ConsumerGroupDescribe, DescribeGroups and ListGroups show a consumer group; and the downgrade of a consumer group
 * whose last consumer-protocol member leaves while a classic member stays.
 */
class ConsumerGroupErrorsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static final String TOPIC = "cg-topic";
    private static final Set<String> NOT_READY = OracleAndSkiff.COORDINATOR_NOT_READY;

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic(TOPIC, 4);
    }

    private static ConsumerGroupHeartbeatRequestData join(String group, String member) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(group)
                .setMemberId(member)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30000)
                .setSubscribedTopicNames(List.of(TOPIC))
                .setTopicPartitions(new ArrayList<>());
    }

    /** The answer in words: the error, or the epoch and how many partitions the assignment holds. */
    private static String heartbeat(OracleAndSkiff.Target t, ConsumerGroupHeartbeatRequestData r) {
        t.awaitGroupCoordinator(r.groupId().isEmpty() ? "x" : r.groupId());
        return Poll.until(
                "a ConsumerGroupHeartbeat answer from " + t.name(),
                () -> {
                    try (KafkaWire wire = t.connect()) {
                        ConsumerGroupHeartbeatResponseData a = wire.send(r.duplicate(), 1);
                        if (a.errorCode() != 0)
                            return Errors.forCode(a.errorCode()).name();
                        int n = 0;
                        if (a.assignment() != null)
                            for (var tp : a.assignment().topicPartitions())
                                n += tp.partitions().size();
                        return "epoch " + a.memberEpoch() + ", "
                                + (a.assignment() == null ? "no assignment" : n + " partition(s)");
                    }
                },
                e -> !NOT_READY.contains(e));
    }

    @Test
    void invalidHeartbeatsAreRefusedAsKafkaRefusesThem() throws Exception {
        brokers.same("an empty member id", t -> heartbeat(t, join("cg-a", "")));
        brokers.same(
                "no rebalance timeout on join",
                t -> heartbeat(t, join("cg-a", "m").setRebalanceTimeoutMs(-1)));
        brokers.same(
                "no subscription on join", t -> heartbeat(t, join("cg-a", "m").setSubscribedTopicNames(null)));
        brokers.same(
                "owned partitions on join", t -> heartbeat(t, join("cg-a", "m").setTopicPartitions(null)));
        brokers.same(
                "a malformed regular expression",
                t -> heartbeat(
                        t, join("cg-a", "m").setSubscribedTopicNames(null).setSubscribedTopicRegex("(x")));
        brokers.same("an unknown assignor", t -> heartbeat(t, join("cg-a", "m").setServerAssignor("nope")));
        brokers.same("an epoch below -2", t -> heartbeat(t, join("cg-a", "m").setMemberEpoch(-3)));
        brokers.same(
                "a static leave without instance id",
                t -> heartbeat(t, join("cg-a", "m").setMemberEpoch(-2).setTopicPartitions(null)));
        brokers.same(
                "a heartbeat to a group that does not exist",
                t -> heartbeat(t, join("cg-none", "m").setMemberEpoch(3).setTopicPartitions(null)));
    }

    @Test
    void aGroupOfTwoFormsAndFencesAsKafkaDoes() throws Exception {
        String g = "cg-b";
        brokers.same("the first member joins", t -> heartbeat(t, join(g, "m1")));
        brokers.same("the second member joins", t -> heartbeat(t, join(g, "m2")));
        brokers.same(
                "the first member with an epoch from the future",
                t -> heartbeat(t, join(g, "m1").setMemberEpoch(99).setTopicPartitions(null)));
        brokers.same(
                "an unknown member of the group",
                t -> heartbeat(t, join(g, "m9").setMemberEpoch(1).setTopicPartitions(null)));
        brokers.same("OffsetCommit v9 with a stale epoch", t -> commit(t, g, 7, "m1"));
        brokers.same("OffsetCommit v9 by an unknown member", t -> commit(t, g, 1, "m9"));
        brokers.same(
                "the second member leaves",
                t -> heartbeat(t, join(g, "m2").setMemberEpoch(-1).setTopicPartitions(null)));
        brokers.same("ConsumerGroupDescribe of the group", t -> describe(t, g));
        brokers.same("ConsumerGroupDescribe of an unknown group", t -> describe(t, "cg-unknown"));
        brokers.same("DescribeGroups of a consumer group", t -> describeClassic(t, g));
        brokers.same("ListGroups v5 of consumer groups", t -> listConsumerGroups(t, g));
    }

    @Test
    void aStaticInstanceHeldByAnotherMemberIsRefused() throws Exception {
        String g = "cg-c";
        brokers.same("a static member joins", t -> heartbeat(t, join(g, "s1").setInstanceId("i1")));
        brokers.same(
                "another member id with the same instance",
                t -> heartbeat(t, join(g, "s2").setInstanceId("i1")));
        brokers.same(
                "the static member leaves for a while",
                t -> heartbeat(
                        t, join(g, "s1").setInstanceId("i1").setMemberEpoch(-2).setTopicPartitions(null)));
        brokers.same(
                "it comes back under a new member id",
                t -> heartbeat(t, join(g, "s3").setInstanceId("i1")));
    }

    @Test
    void theLastConsumerProtocolMemberLeavingMakesAClassicGroupAsKafkaDoes() throws Exception {
        String g = "cg-d";
        brokers.same("a consumer-protocol member joins", t -> heartbeat(t, join(g, "d1")));
        // the classic member's id and generation on each broker, for its later requests
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        java.util.Map<String, Integer> generations = new java.util.HashMap<>();
        brokers.same("a classic member asks for a member id", t -> classicJoin(t, g, "", ids, generations));
        brokers.same(
                "the classic member joins the consumer group",
                t -> classicJoin(t, g, ids.get(t.name()), ids, generations));
        brokers.same(
                "the consumer-protocol member leaves",
                t -> heartbeat(t, join(g, "d1").setMemberEpoch(-1).setTopicPartitions(null)));
        String listed = brokers.same("ListGroups v5 of the group", t -> listGroup(t, g));
        org.junit.jupiter.api.Assertions.assertTrue(listed.contains(" classic "), listed);
        brokers.same("DescribeGroups of the group", t -> describeClassic(t, g));
        brokers.same("ConsumerGroupDescribe of the group", t -> describe(t, g));
        brokers.same(
                "the classic member's heartbeat",
                t -> classicHeartbeat(t, g, ids.get(t.name()), generations.get(t.name())));
        brokers.same("the classic member rejoins", t -> classicJoin(t, g, ids.get(t.name()), ids, generations));
        brokers.same("DescribeGroups of the group once it rejoined", t -> describeClassic(t, g));
        brokers.same("a consumer-protocol member joining the classic group", t -> heartbeat(t, join(g, "d2")));
    }

    @Test
    void aClassicStaticMemberReplacingTheLastConsumerMemberDowngradesAsKafkaDoes() throws Exception {
        String g = "cg-e";
        brokers.same(
                "a static consumer-protocol member joins",
                t -> heartbeat(t, join(g, "s1").setInstanceId("i1")));
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        java.util.Map<String, Integer> generations = new java.util.HashMap<>();
        brokers.same("a classic member asks for a member id", t -> classicJoin(t, g, "", ids, generations));
        brokers.same(
                "the classic member joins the consumer group",
                t -> classicJoin(t, g, ids.get(t.name()), ids, generations));
        brokers.same(
                "the static member leaves for a while",
                t -> heartbeat(
                        t, join(g, "s1").setInstanceId("i1").setMemberEpoch(-2).setTopicPartitions(null)));
        java.util.Map<String, String> staticIds = new java.util.HashMap<>();
        String joined = brokers.same(
                "a classic consumer takes its instance id", t -> classicJoin(t, g, "", "i1", staticIds, generations));
        org.junit.jupiter.api.Assertions.assertTrue(joined.startsWith("NONE generation "), joined);
        String listed = brokers.same("ListGroups v5 of the group", t -> listGroup(t, g));
        org.junit.jupiter.api.Assertions.assertTrue(listed.contains(" classic "), listed);
        brokers.same("DescribeGroups of the group", t -> describeClassic(t, g));
    }

    private static String classicJoin(
            OracleAndSkiff.Target t,
            String group,
            String memberId,
            java.util.Map<String, String> ids,
            java.util.Map<String, Integer> generations)
            throws Exception {
        return classicJoin(t, group, memberId, null, ids, generations);
    }

    /** A classic JoinGroup v9 (range, subscribing to the topic): the answer, with ids in words. */
    private static String classicJoin(
            OracleAndSkiff.Target t,
            String group,
            String memberId,
            String instanceId,
            java.util.Map<String, String> ids,
            java.util.Map<String, Integer> generations)
            throws Exception {
        t.awaitGroupCoordinator(group);
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(
                        new ConsumerPartitionAssignor.Subscription(List.of(TOPIC))))));
        JoinGroupRequestData r = new JoinGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId)
                .setProtocolType("consumer")
                .setSessionTimeoutMs(30000)
                .setRebalanceTimeoutMs(30000)
                .setProtocols(protocols);
        try (KafkaWire wire = t.connect()) {
            JoinGroupResponseData a = wire.send(r, 9);
            if (!a.memberId().isEmpty()) ids.put(t.name(), a.memberId());
            generations.put(t.name(), a.generationId());
            String leader = a.leader().isEmpty() ? "none" : a.leader().equals(a.memberId()) ? "itself" : "another";
            return Errors.forCode(a.errorCode()).name() + " generation " + a.generationId() + " protocol "
                    + a.protocolType() + "/" + a.protocolName() + " leader " + leader + " with "
                    + a.members().size() + " member(s)";
        }
    }

    private static String classicHeartbeat(OracleAndSkiff.Target t, String group, String memberId, int generation)
            throws Exception {
        try (KafkaWire wire = t.connect()) {
            HeartbeatResponseData a = wire.send(
                    new HeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(memberId)
                            .setGenerationId(generation),
                    4);
            return Errors.forCode(a.errorCode()).name();
        }
    }

    private static String listGroup(OracleAndSkiff.Target t, String group) throws Exception {
        try (KafkaWire wire = t.connect()) {
            ListGroupsResponseData r = wire.send(new ListGroupsRequestData(), 5);
            for (var g : r.groups())
                if (g.groupId().equals(group)) return g.groupState() + " " + g.groupType() + " " + g.protocolType();
            return "not listed";
        }
    }

    private static String commit(OracleAndSkiff.Target t, String group, int epoch, String member) throws Exception {
        try (KafkaWire wire = t.connect()) {
            OffsetCommitResponseData r = wire.send(Requests.offsetCommit(group, epoch, member, TOPIC, 5), 9);
            return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode())
                    .name();
        }
    }

    private static String describe(OracleAndSkiff.Target t, String group) throws Exception {
        try (KafkaWire wire = t.connect()) {
            ConsumerGroupDescribeResponseData r =
                    wire.send(new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group)), 1);
            var d = r.groups().get(0);
            if (d.errorCode() != 0) return Errors.forCode(d.errorCode()).name();
            List<String> members = new ArrayList<>();
            for (var m : d.members()) {
                int n = 0;
                for (var tp : m.assignment().topicPartitions())
                    n += tp.partitions().size();
                members.add(m.memberId() + " epoch " + m.memberEpoch() + " with " + n + " type " + m.memberType());
            }
            return d.groupState() + " epoch " + d.groupEpoch() + "/" + d.assignmentEpoch() + " " + d.assignorName()
                    + " " + members;
        }
    }

    private static String describeClassic(OracleAndSkiff.Target t, String group) throws Exception {
        try (KafkaWire wire = t.connect()) {
            DescribeGroupsResponseData r = wire.send(new DescribeGroupsRequestData().setGroups(List.of(group)), 5);
            var d = r.groups().get(0);
            return Errors.forCode(d.errorCode()).name() + " " + d.groupState() + " " + d.protocolType() + " "
                    + d.members().size();
        }
    }

    private static String listConsumerGroups(OracleAndSkiff.Target t, String group) throws Exception {
        try (KafkaWire wire = t.connect()) {
            ListGroupsResponseData r = wire.send(new ListGroupsRequestData().setTypesFilter(List.of("consumer")), 5);
            for (var g : r.groups())
                if (g.groupId().equals(group)) return g.groupState() + " " + g.groupType() + " " + g.protocolType();
            return "not listed";
        }
    }
}
