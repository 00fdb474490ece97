package dev.skiff.server.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.types.Uuid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge of a cluster, fed with images as the controller would publish them (no controller needed): the
 * znodes a three-broker 0.8 cluster keeps, following broker deaths, leader moves, ISR changes and topic deletion.
 * The node contents are those of the 0.8.1.1 reference run (acceptance/seed-demos README).
 */
@Timeout(60)
class ClusterZooKeeperBridgeTest {

    private static final Pattern REGISTRATION = Pattern.compile(
            "\\{\"jmx_port\":-1,\"timestamp\":\"\\d+\",\"host\":\"127\\.0\\.0\\.(\\d)\",\"version\":1,\"port\":9092}");

    @TempDir
    Path dir;

    private ZooKeeperBridge bridge;
    private ZooKeeper reader;

    @BeforeEach
    void start() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of(ZooKeeperSettings.PORT_KEY, "0"));
        bridge = ZooKeeperBridge.startForCluster(ZooKeeperSettings.from(config), dir.resolve("zookeeper"));
        reader = connect(bridge.connectString());
    }

    @AfterEach
    void stop() throws Exception {
        if (reader != null) reader.close();
        if (bridge != null) bridge.close();
    }

    private static final Uuid ID = Uuid.random();

    private static MetadataImage image(long offset, Set<Integer> live, Map<String, TopicImage> topics) {
        Map<Integer, BrokerEndpoint> registered = new HashMap<>();
        for (int id = 0; id < 3; id++) registered.put(id, new BrokerEndpoint(id, "127.0.0." + (id + 1), 9092, null));
        return new MetadataImage(offset, 0, registered, live, topics);
    }

    private static TopicImage topic(String name, PartitionRegistration... partitions) {
        return new TopicImage(name, ID, Map.of(), List.of(partitions));
    }

    private static PartitionRegistration reg(List<Integer> replicas, List<Integer> isr, int leader, int epoch) {
        return new PartitionRegistration(replicas, isr, leader, epoch, epoch);
    }

    @Test
    void everyLiveBrokerAndPartitionStateFollowTheImages() throws Exception {
        Map<String, TopicImage> topics = Map.of(
                "jiketest",
                topic(
                        "jiketest",
                        reg(List.of(0, 1, 2), List.of(0, 1, 2), 0, 0),
                        reg(List.of(1, 2, 0), List.of(1, 2, 0), 1, 0),
                        reg(List.of(2, 0, 1), List.of(2, 0, 1), 2, 0)),
                "__consumer_offsets",
                topic("__consumer_offsets", reg(List.of(0, 1, 2), List.of(0, 1, 2), 0, 0)));
        bridge.publishNow(image(1, Set.of(0, 1, 2), topics));

        assertEquals(List.of("0", "1", "2"), sorted(reader.getChildren("/brokers/ids", false)));
        for (int id = 0; id < 3; id++) {
            var m = REGISTRATION.matcher(read("/brokers/ids/" + id));
            assertTrue(m.matches(), read("/brokers/ids/" + id));
            assertEquals(Integer.toString(id + 1), m.group(1));
            assertTrue(reader.exists("/brokers/ids/" + id, false).getEphemeralOwner() != 0, "ephemeral");
        }
        assertEquals(
                "{\"version\":1,\"partitions\":{\"0\":[0,1,2],\"1\":[1,2,0],\"2\":[2,0,1]}}",
                read("/brokers/topics/jiketest"));
        assertEquals(
                "{\"controller_epoch\":1,\"leader\":1,\"version\":1,\"leader_epoch\":0,\"isr\":[1,2,0]}",
                read("/brokers/topics/jiketest/partitions/1/state"));
        assertEquals("{\"version\":1,\"config\":{}}", read("/config/topics/jiketest"));
        assertEquals("1", read("/controller_epoch"));
        assertTrue(read("/controller").startsWith("{\"version\":1,\"brokerid\":0,\"timestamp\":\""));
        assertNull(reader.exists("/brokers/topics/__consumer_offsets", false), "internal topics are hidden");
        for (String fixed : KafkaZnodes.FIXED) assertTrue(reader.exists(fixed, false) != null, fixed);

        // broker 1 dies: its registration goes, partition 1 gets leader 2 at epoch 1, every ISR loses 1
        Map<String, TopicImage> after = Map.of(
                "jiketest",
                topic(
                        "jiketest",
                        reg(List.of(0, 1, 2), List.of(0, 2), 0, 0),
                        reg(List.of(1, 2, 0), List.of(2, 0), 2, 1),
                        reg(List.of(2, 0, 1), List.of(2, 0), 2, 0)));
        bridge.clusterListener().accept(image(2, Set.of(0, 2), after));
        waitFor("broker 1 unregistered", () -> reader.exists("/brokers/ids/1", false) == null);
        bridge.publishNow(image(2, Set.of(0, 2), after));
        assertEquals(
                "{\"controller_epoch\":1,\"leader\":2,\"version\":1,\"leader_epoch\":1,\"isr\":[2,0]}",
                read("/brokers/topics/jiketest/partitions/1/state"));
        assertEquals(
                "{\"controller_epoch\":1,\"leader\":0,\"version\":1,\"leader_epoch\":0,\"isr\":[0,2]}",
                read("/brokers/topics/jiketest/partitions/0/state"));
        assertEquals(List.of("0", "2"), sorted(reader.getChildren("/brokers/ids", false)));

        // an image older than the last one written changes nothing
        bridge.publishNow(image(1, Set.of(0, 1, 2), topics));
        assertNull(reader.exists("/brokers/ids/1", false));

        // broker 1 returns and catches up; then the whole cluster loses every replica of partition 2 but one
        Map<String, TopicImage> back = Map.of(
                "jiketest",
                topic(
                        "jiketest",
                        reg(List.of(0, 1, 2), List.of(0, 2, 1), 0, 0),
                        reg(List.of(1, 2, 0), List.of(2, 0, 1), 2, 1),
                        reg(List.of(2, 0, 1), List.of(2), PartitionRegistration.NO_LEADER, 1)));
        bridge.publishNow(image(3, Set.of(0, 1), back));
        assertTrue(REGISTRATION.matcher(read("/brokers/ids/1")).matches());
        assertNull(reader.exists("/brokers/ids/2", false));
        assertEquals(
                "{\"controller_epoch\":1,\"leader\":-1,\"version\":1,\"leader_epoch\":1,\"isr\":[2]}",
                read("/brokers/topics/jiketest/partitions/2/state"));

        // the topic is deleted
        bridge.publishNow(image(4, Set.of(0, 1, 2), Map.of()));
        assertNull(reader.exists("/brokers/topics/jiketest", false));
        assertNull(reader.exists("/config/topics/jiketest", false));
        assertEquals(List.of("0", "1", "2"), sorted(reader.getChildren("/brokers/ids", false)));
    }

    @Test
    void aStateNodeIsWrittenOnlyWhenItChanges() throws Exception {
        Map<String, TopicImage> topics = Map.of(
                "t", topic("t", reg(List.of(0, 1), List.of(0, 1), 0, 0), reg(List.of(1, 0), List.of(1, 0), 1, 0)));
        bridge.publishNow(image(1, Set.of(0, 1, 2), topics));
        Stat p0 = reader.exists("/brokers/topics/t/partitions/0/state", false);
        Stat p1 = reader.exists("/brokers/topics/t/partitions/1/state", false);
        Map<String, TopicImage> changed =
                Map.of("t", topic("t", reg(List.of(0, 1), List.of(0, 1), 0, 0), reg(List.of(1, 0), List.of(0), 0, 1)));
        bridge.publishNow(image(2, Set.of(0, 2), changed));
        assertEquals(
                p0.getVersion(),
                reader.exists("/brokers/topics/t/partitions/0/state", false).getVersion());
        assertEquals(
                p1.getVersion() + 1,
                reader.exists("/brokers/topics/t/partitions/1/state", false).getVersion());
    }

    @Test
    void attachedBrokersServeVersion0OffsetsFromZooKeeper() throws Exception {
        bridge.publishNow(image(1, Set.of(0, 1, 2), Map.of("t", topic("t", reg(List.of(0), List.of(0), 0, 0)))));
        try (Broker b0 = new Broker(BrokerConfig.of(Map.of("broker.id", "0")), LogFactory.memory());
                Broker b1 = new Broker(BrokerConfig.of(Map.of("broker.id", "1")), LogFactory.memory())) {
            bridge.attach(b0);
            bridge.attach(b1);
            TopicPartition tp = new TopicPartition("t", 0);
            b0.version0Offsets().commit("g", Map.of(tp, new CommittedOffset(42, -1, "", 0)));
            assertEquals("42", read("/consumers/g/offsets/t/0"));
            assertEquals(42, b1.version0Offsets().fetch("g", tp).offset());
            bridge.detach(b1);
            assertTrue(b0.version0Offsets() instanceof ZooKeeperOffsets);
            assertTrue(!(b1.version0Offsets() instanceof ZooKeeperOffsets), "a detached broker keeps its own");
        }
    }

    @Test
    void anExpiredSessionRegistersEveryLiveBrokerAgain() throws Exception {
        bridge.publishNow(image(1, Set.of(0, 1, 2), Map.of("t", topic("t", reg(List.of(0, 1), List.of(0, 1), 0, 0)))));
        long first = bridge.sessionId();
        assertEquals(first, reader.exists("/brokers/ids/2", false).getEphemeralOwner());
        // the classic way to expire a session: open it a second time and close that handle
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(
                bridge.connectString(),
                6000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                first,
                bridge.sessionPassword());
        assertTrue(connected.await(20, TimeUnit.SECONDS), "connected with the bridge's session");
        twin.close();
        waitFor("every live broker registered by the new session", () -> {
            for (int id = 0; id < 3; id++) {
                Stat st = reader.exists("/brokers/ids/" + id, false);
                if (st == null || st.getEphemeralOwner() == first) return false;
            }
            Stat controller = reader.exists("/controller", false);
            return controller != null && controller.getEphemeralOwner() != first;
        });
        assertEquals(
                "{\"controller_epoch\":1,\"leader\":0,\"version\":1,\"leader_epoch\":0,\"isr\":[0,1]}",
                read("/brokers/topics/t/partitions/0/state"));
    }

    private String read(String path) throws Exception {
        return new String(reader.getData(path, false, null), StandardCharsets.UTF_8);
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher w = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        };
        ZooKeeper zk = new ZooKeeper(connect, 6000, w);
        assertTrue(connected.await(20, TimeUnit.SECONDS), "connected to " + connect);
        return zk;
    }
}
