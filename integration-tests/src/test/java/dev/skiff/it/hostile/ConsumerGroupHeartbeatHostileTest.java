package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * ConsumerGroupHeartbeat (KIP-848) from a hostile client over a real socket: oversized and malformed regular
 * expressions, a catastrophic-backtracking pattern (RE2J matches in linear time), a member id of 30,000
 * characters, epochs out of range or from the future, 5,000 subscribed topics, owned partitions of unknown topics
 * far past any partition. Each gets Kafka's error or a normal answer; another client is still served, and the
 * broker restarts with the groups (the hostile ones included) and nothing acknowledged lost. And the downgrade to
 * a classic group of classic members with garbage protocols, absurd versions and nothing in common.
 */
class ConsumerGroupHeartbeatHostileTest {

    private static ConsumerGroupHeartbeatRequestData join(String group, String member) {
        return new ConsumerGroupHeartbeatRequestData()
                .setGroupId(group)
                .setMemberId(member)
                .setMemberEpoch(0)
                .setRebalanceTimeoutMs(30000)
                .setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(new ArrayList<>());
    }

    private static short code(KafkaWire wire, ConsumerGroupHeartbeatRequestData r) throws Exception {
        ConsumerGroupHeartbeatResponseData resp = wire.send(r, 1);
        return resp.errorCode();
    }

    @Test
    void hostileHeartbeatsAreAnsweredAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("t", 3).start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                // regular expressions: too long, malformed, and one that backtracks forever in java.util.regex
                assertEquals(
                        Errors.INVALID_REGULAR_EXPRESSION.code(),
                        code(
                                wire,
                                join("g", "m1")
                                        .setSubscribedTopicNames(null)
                                        .setSubscribedTopicRegex("a".repeat(5000))));
                assertEquals(
                        Errors.INVALID_REGULAR_EXPRESSION.code(),
                        code(wire, join("g", "m1").setSubscribedTopicNames(null).setSubscribedTopicRegex("(unclosed")));
                assertEquals(
                        Errors.NONE.code(),
                        code(
                                wire,
                                join("g", "m1")
                                        .setSubscribedTopicNames(null)
                                        .setSubscribedTopicRegex("(a*)*(a*)*(a*)*b")));
                // ids: huge, empty
                assertEquals(Errors.NONE.code(), code(wire, join("g", "x".repeat(30_000))));
                assertEquals(Errors.INVALID_REQUEST.code(), code(wire, join("g", "")));
                assertEquals(Errors.INVALID_REQUEST.code(), code(wire, join("", "m2")));
                // epochs: out of range, unknown member, from the future
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        code(wire, join("g", "m1").setMemberEpoch(-3)));
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        code(wire, join("g", "m1").setMemberEpoch(Integer.MIN_VALUE)));
                assertEquals(
                        Errors.UNKNOWN_MEMBER_ID.code(),
                        code(wire, join("g", "nobody").setMemberEpoch(5).setTopicPartitions(null)));
                assertEquals(
                        Errors.FENCED_MEMBER_EPOCH.code(),
                        code(
                                wire,
                                join("g", "m1")
                                        .setMemberEpoch(Integer.MAX_VALUE)
                                        .setTopicPartitions(null)));
                // owned partitions of topics that do not exist, far past any partition
                ConsumerGroupHeartbeatResponseData first = wire.send(join("g2", "m3"), 1);
                List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned = new ArrayList<>();
                for (int i = 0; i < 1000; i++)
                    owned.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                            .setTopicId(Uuid.randomUuid())
                            .setPartitions(List.of(Integer.MAX_VALUE, -1, i)));
                short c = code(
                        wire,
                        join("g2", "m3").setMemberEpoch(first.memberEpoch()).setTopicPartitions(owned));
                assertEquals(Errors.NONE.code(), c);
                // 5,000 subscribed topics, none of them existing
                List<String> many = new ArrayList<>();
                for (int i = 0; i < 5000; i++) many.add("no-such-topic-" + i);
                assertEquals(Errors.NONE.code(), code(wire, join("g3", "m4").setSubscribedTopicNames(many)));
                // an unknown assignor
                assertEquals(
                        Errors.UNSUPPORTED_ASSIGNOR.code(),
                        code(wire, join("g", "m5").setServerAssignor("evil")));
            }
            survival.assertServedAndRestartsIntact();
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                ConsumerGroupDescribeResponseData d =
                        wire.send(new ConsumerGroupDescribeRequestData().setGroupIds(List.of("g", "g3")), 1);
                assertEquals(2, d.groups().get(0).members().size(), "both members of g are back after the restart");
                assertEquals(
                        5000,
                        d.groups()
                                .get(1)
                                .members()
                                .get(0)
                                .subscribedTopicNames()
                                .size());
            }
        }
    }

    /** A consumer protocol subscription to "t" whose version is {@code version}, without user data. */
    private static byte[] subscription(short version) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 + 4 + 2 + 1 + 4);
        b.putShort(version).putInt(1).putShort((short) 1).put((byte) 't').putInt(-1);
        return b.array();
    }

    private static JoinGroupResponseData classicJoin(KafkaWire wire, String group, String memberId, Object... protocols)
            throws Exception {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (int i = 0; i < protocols.length; i += 2)
            c.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                    .setName((String) protocols[i])
                    .setMetadata((byte[]) protocols[i + 1]));
        return wire.send(
                new JoinGroupRequestData()
                        .setGroupId(group)
                        .setMemberId(memberId)
                        .setProtocolType("consumer")
                        .setSessionTimeoutMs(30000)
                        .setRebalanceTimeoutMs(30000)
                        .setProtocols(c),
                9);
    }

    private static String typeOf(KafkaWire wire, String group) throws Exception {
        ListGroupsResponseData r = wire.send(new ListGroupsRequestData(), 5);
        for (var g : r.groups()) if (g.groupId().equals(group)) return g.groupType();
        return "not listed";
    }

    @Test
    void classicMembersWithHostileProtocolsDowngradeSafely() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("t", 3).start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                assertEquals(Errors.NONE.code(), code(wire, join("dg", "c1")));
                byte[] junk = new byte[10_000];
                new java.util.Random(7).nextBytes(junk);
                // m1 prefers a protocol of garbage bytes, then one readable at version 32767
                Object[] m1Protocols = {"junk", junk, "range", subscription(Short.MAX_VALUE)};
                String m1 = classicJoin(wire, "dg", "", m1Protocols).memberId();
                JoinGroupResponseData m1Joined = classicJoin(wire, "dg", m1, m1Protocols);
                assertEquals(Errors.NONE.code(), m1Joined.errorCode());
                // m2 shares no protocol with m1
                Object[] m2Protocols = {"other", subscription((short) 0)};
                String m2 = classicJoin(wire, "dg", "", m2Protocols).memberId();
                assertEquals(
                        Errors.NONE.code(),
                        classicJoin(wire, "dg", m2, m2Protocols).errorCode());

                // the consumer-protocol member leaves: no protocol in common, so no classic group can be made
                assertEquals(
                        Errors.NONE.code(),
                        code(wire, join("dg", "c1").setMemberEpoch(-1).setTopicPartitions(null)));
                assertEquals("consumer", typeOf(wire, "dg"));

                // m2 leaves: m1 alone makes a classic group, with the protocol it prefers (the garbage one)
                LeaveGroupResponseData left = wire.send(
                        new LeaveGroupRequestData()
                                .setGroupId("dg")
                                .setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(m2))),
                        5);
                assertEquals(Errors.NONE.code(), left.members().get(0).errorCode());
                assertEquals("classic", typeOf(wire, "dg"));
                // the classic group's generation is the consumer group's epoch, past the one m1 last heard
                HeartbeatResponseData beat = wire.send(
                        new HeartbeatRequestData()
                                .setGroupId("dg")
                                .setMemberId(m1)
                                .setGenerationId(m1Joined.generationId()),
                        4);
                assertEquals(Errors.ILLEGAL_GENERATION.code(), beat.errorCode());
                JoinGroupResponseData rejoined = classicJoin(wire, "dg", m1, m1Protocols);
                assertEquals(Errors.NONE.code(), rejoined.errorCode());
                assertEquals("junk", rejoined.protocolName());
            }
            survival.assertServedAndRestartsIntact();
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                assertEquals("classic", typeOf(wire, "dg"), "a classic group after the restart");
            }
        }
    }
}
