package dev.skiff.it.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.it.Poll;
import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The znodes the bridge keeps have the layout and JSON of a real 0.8.1.1 broker's (seed-demos README). */
@Timeout(60)
class ZnodeLayoutTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static EmbeddedSkiff broker;
    private static ZnodeReader zk;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedSkiff.builder().zookeeper().topic("jiketest", 3).start();
        zk = new ZnodeReader(broker.zookeeperConnect());
    }

    @AfterAll
    static void stop() throws Exception {
        if (zk != null) zk.close();
        if (broker != null) broker.close();
    }

    @Test
    void embeddedZooKeeperListensOnTheLoopbackAtAPortOfItsOwn() {
        String connect = broker.zookeeperConnect();
        assertTrue(connect.startsWith("127.0.0.1:"), connect);
        int port = Integer.parseInt(connect.substring(connect.indexOf(':') + 1));
        assertTrue(port > 0 && port != broker.port(), connect);
    }

    @Test
    void brokerRegistrationIsEphemeralWithTheBoundPort() throws Exception {
        assertEquals(List.of("0"), zk.children("/brokers/ids"));
        JsonNode b = zk.json("/brokers/ids/0");
        assertEquals(Set.of("jmx_port", "timestamp", "host", "version", "port"), fields(b));
        assertEquals(-1, b.get("jmx_port").intValue());
        assertEquals(1, b.get("version").intValue());
        assertEquals(broker.host(), b.get("host").textValue());
        assertEquals(broker.port(), b.get("port").intValue());
        assertTrue(b.get("timestamp").isTextual(), "timestamp is a string");
        Long.parseLong(b.get("timestamp").textValue());
        assertNotEquals(0, zk.stat("/brokers/ids/0").getEphemeralOwner(), "ephemeral");
    }

    @Test
    void controllerAndFixedNodes() throws Exception {
        JsonNode c = zk.json("/controller");
        assertEquals(Set.of("version", "brokerid", "timestamp"), fields(c));
        assertEquals(0, c.get("brokerid").intValue());
        assertEquals(1, c.get("version").intValue());
        assertTrue(c.get("timestamp").isTextual());
        assertNotEquals(0, zk.stat("/controller").getEphemeralOwner(), "ephemeral");
        assertEquals("1", zk.text("/controller_epoch"));
        for (String path : List.of("/admin/delete_topics", "/config/changes", "/consumers")) {
            Stat st = zk.stat(path);
            assertTrue(st != null && st.getEphemeralOwner() == 0, path + " exists, persistent");
        }
        assertTrue(zk.children("/admin/delete_topics").isEmpty());
    }

    @Test
    void topicAssignmentPartitionStatesAndConfig() throws Exception {
        JsonNode t = zk.json("/brokers/topics/jiketest");
        assertEquals(1, t.get("version").intValue());
        JsonNode parts = t.get("partitions");
        assertEquals(Set.of("0", "1", "2"), fields(parts));
        for (int p = 0; p < 3; p++) {
            assertEquals("[0]", parts.get(Integer.toString(p)).toString(), "replicas of " + p);
            JsonNode state = zk.json("/brokers/topics/jiketest/partitions/" + p + "/state");
            assertEquals(Set.of("controller_epoch", "leader", "version", "leader_epoch", "isr"), fields(state));
            assertEquals(1, state.get("controller_epoch").intValue());
            assertEquals(0, state.get("leader").intValue());
            assertEquals(1, state.get("version").intValue());
            assertEquals(0, state.get("leader_epoch").intValue());
            assertEquals("[0]", state.get("isr").toString());
        }
        JsonNode config = zk.json("/config/topics/jiketest");
        assertEquals(1, config.get("version").intValue());
        assertTrue(config.get("config").isObject() && config.get("config").isEmpty(), config.toString());
    }

    @Test
    void topicsCreatedGrownAndDeletedAfterStartAreMirrored() throws Exception {
        broker.createTopic("later", 2);
        JsonNode t = Poll.until(WAIT, "/brokers/topics/later", () -> zk.json("/brokers/topics/later"), j -> true);
        assertEquals(Set.of("0", "1"), fields(t.get("partitions")));
        Poll.until(
                WAIT, "partition states of later", () -> zk.exists("/brokers/topics/later/partitions/1/state"), e -> e);

        broker.addPartitions("later", 4);
        Poll.until(
                WAIT,
                "four partitions of later",
                () -> fields(zk.json("/brokers/topics/later").get("partitions")),
                f -> f.equals(Set.of("0", "1", "2", "3")));
        Poll.until(WAIT, "state of partition 3", () -> zk.exists("/brokers/topics/later/partitions/3/state"), e -> e);

        broker.deleteTopic("later");
        Poll.until(
                WAIT,
                "later gone",
                () -> zk.exists("/brokers/topics/later") || zk.exists("/config/topics/later"),
                e -> !e);
    }

    @Test
    void autoCreatedTopicsAppearAndInternalOnesDoNot() throws Exception {
        // A simple consumer's commit writes __consumer_offsets into being; Metadata auto-creates a topic.
        OffsetCommitRequestData commit =
                new OffsetCommitRequestData().setGroupId("zk-layout").setGenerationIdOrMemberEpoch(-1);
        commit.topics()
                .add(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName("jiketest")
                        .setPartitions(new ArrayList<>(List.of(
                                new OffsetCommitRequestData.OffsetCommitRequestPartition().setCommittedOffset(0)))));
        OffsetCommitResponseData committed =
                (OffsetCommitResponseData) WireClient.call(broker.port(), ApiKeys.OFFSET_COMMIT, 2, commit);
        assertEquals(0, committed.topics().get(0).partitions().get(0).errorCode());
        assertTrue(broker.topics().contains("__consumer_offsets"));
        WireClient.call(
                broker.port(),
                ApiKeys.METADATA,
                12,
                new MetadataRequestData()
                        .setAllowAutoTopicCreation(true)
                        .setTopics(new ArrayList<>(
                                List.of(new MetadataRequestData.MetadataRequestTopic().setName("auto-created")))));
        Poll.until(WAIT, "auto-created in ZooKeeper", () -> zk.exists("/brokers/topics/auto-created"), e -> e);
        assertFalse(zk.exists("/brokers/topics/__consumer_offsets"), "internal topics stay out");
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
