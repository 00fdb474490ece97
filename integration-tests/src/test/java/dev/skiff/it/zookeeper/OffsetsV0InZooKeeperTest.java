package dev.skiff.it.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kafka.common.ErrorMapping;
import kafka.common.OffsetMetadataAndError;
import kafka.common.TopicAndPartition;
import kafka.javaapi.OffsetCommitRequest;
import kafka.javaapi.OffsetCommitResponse;
import kafka.javaapi.OffsetFetchRequest;
import kafka.javaapi.consumer.SimpleConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With the bridge on, OffsetCommit/OffsetFetch v0 use the offsets in ZooKeeper, as on a 0.8.1 broker: what the
 * high-level consumer committed there is what OffsetFetch v0 answers, and an OffsetCommit v0 lands there.
 */
@Timeout(120)
class OffsetsV0InZooKeeperTest {

    private static final short VERSION_0 = 0;
    private static EmbeddedSkiff broker;
    private static ZnodeReader zk;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedSkiff.builder().zookeeper().topic("offsets-v0", 3).start();
        zk = new ZnodeReader(broker.zookeeperConnect());
    }

    @AfterAll
    static void stop() throws Exception {
        if (zk != null) zk.close();
        if (broker != null) broker.close();
    }

    @Test
    void offsetFetchV0SeesWhatTheHighLevelConsumerCommitted() {
        String group = "hl-group";
        List<String> sent = TestData.produce(broker.bootstrapServers(), "offsets-v0", 3, "m", 12);
        try (GroupConsumer consumer =
                GroupConsumer.connect(broker.zookeeperConnect(), group, "c1", Map.of("auto.commit.enable", "false"))) {
            consumer.consume("offsets-v0", 1);
            Poll.until("all messages", () -> consumer.received().size(), n -> n >= sent.size());
            consumer.commitOffsets();
        }
        SimpleConsumer client = simpleConsumer();
        try {
            Map<Integer, OffsetMetadataAndError> fetched = fetch(client, group, 0, 1, 2);
            for (int p = 0; p < 3; p++) {
                assertEquals(ErrorMapping.NoError(), fetched.get(p).error(), "error of partition " + p);
                assertEquals(4L, fetched.get(p).offset(), "committed offset of partition " + p);
            }
        } finally {
            client.close();
        }
    }

    @Test
    void offsetCommitV0IsWrittenWhereTheHighLevelConsumerReadsIt() throws Exception {
        String group = "simple-group";
        SimpleConsumer client = simpleConsumer();
        try {
            Map<TopicAndPartition, OffsetMetadataAndError> info = new LinkedHashMap<>();
            info.put(
                    new TopicAndPartition("offsets-v0", 0),
                    new OffsetMetadataAndError(7, "meta", ErrorMapping.NoError()));
            info.put(new TopicAndPartition("offsets-v0", 2), new OffsetMetadataAndError(3, "", ErrorMapping.NoError()));
            OffsetCommitResponse response =
                    client.commitOffsets(new OffsetCommitRequest(group, info, VERSION_0, 1, "it"));
            for (TopicAndPartition tp : info.keySet()) {
                assertEquals((Object) ErrorMapping.NoError(), response.errors().get(tp), "commit error of " + tp);
            }
            assertEquals("7", zk.text("/consumers/simple-group/offsets/offsets-v0/0"));
            assertEquals("3", zk.text("/consumers/simple-group/offsets/offsets-v0/2"));
            Map<Integer, OffsetMetadataAndError> fetched = fetch(client, group, 0, 1, 2);
            assertEquals(7L, fetched.get(0).offset());
            assertEquals(OffsetMetadataAndError.InvalidOffset(), fetched.get(1).offset(), "never committed");
            assertEquals(3L, fetched.get(2).offset());
        } finally {
            client.close();
        }
    }

    private static SimpleConsumer simpleConsumer() {
        return new SimpleConsumer(broker.host(), broker.port(), 10_000, 64 * 1024, "it");
    }

    private static Map<Integer, OffsetMetadataAndError> fetch(SimpleConsumer client, String group, int... partitions) {
        List<TopicAndPartition> asked = new ArrayList<>();
        for (int p : partitions) asked.add(new TopicAndPartition("offsets-v0", p));
        Map<TopicAndPartition, OffsetMetadataAndError> answer = client.fetchOffsets(
                        new OffsetFetchRequest(group, asked, VERSION_0, 2, "it"))
                .offsets();
        Map<Integer, OffsetMetadataAndError> byPartition = new LinkedHashMap<>();
        answer.forEach((tp, o) -> byPartition.put(tp.partition(), o));
        return byPartition;
    }
}
