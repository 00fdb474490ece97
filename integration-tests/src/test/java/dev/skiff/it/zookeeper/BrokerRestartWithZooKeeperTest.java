package dev.skiff.it.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.List;
import java.util.Map;
import kafka.common.ErrorMapping;
import kafka.common.OffsetMetadataAndError;
import kafka.common.TopicAndPartition;
import kafka.javaapi.OffsetCommitRequest;
import kafka.javaapi.OffsetFetchRequest;
import kafka.javaapi.consumer.SimpleConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded ZooKeeper keeps its data under the broker's data dir and its port across a restart, so 0.8
 * consumers keep their connect string and their group's offsets, and the broker registers again.
 */
@Timeout(60)
class BrokerRestartWithZooKeeperTest {

    @Test
    void restartKeepsTheConnectStringTheOffsetsAndTheRegistration() throws Exception {
        try (EmbeddedSkiff broker =
                EmbeddedSkiff.builder().zookeeper().topic("restarted", 3).start()) {
            String connect = broker.zookeeperConnect();
            TopicAndPartition tp = new TopicAndPartition("restarted", 1);
            SimpleConsumer client = new SimpleConsumer(broker.host(), broker.port(), 10_000, 64 * 1024, "it");
            try {
                client.commitOffsets(new OffsetCommitRequest(
                        "g",
                        Map.of(tp, new OffsetMetadataAndError(5, "", ErrorMapping.NoError())),
                        (short) 0,
                        1,
                        "it"));
            } finally {
                client.close();
            }

            broker.restart();

            assertEquals(connect, broker.zookeeperConnect());
            try (ZnodeReader zk = new ZnodeReader(connect)) {
                Poll.until(
                        "the broker registered again",
                        () -> zk.json("/brokers/ids/0").get("port").intValue(),
                        port -> port == broker.port());
                assertEquals("5", zk.text("/consumers/g/offsets/restarted/1"));
                assertEquals(List.of("restarted"), zk.children("/brokers/topics"));
            }
            SimpleConsumer after = new SimpleConsumer(broker.host(), broker.port(), 10_000, 64 * 1024, "it");
            try {
                OffsetMetadataAndError fetched = after.fetchOffsets(
                                new OffsetFetchRequest("g", List.of(tp), (short) 0, 2, "it"))
                        .offsets()
                        .get(tp);
                assertEquals(5L, fetched.offset());
            } finally {
                after.close();
            }
        }
    }
}
