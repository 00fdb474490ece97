package dev.skiff.server.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ZooKeeperBridgeTest {

    @TempDir
    Path dir;

    private Broker broker;
    private ZooKeeperBridge bridge;
    private ZooKeeper reader;

    @BeforeEach
    void start() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of("port", "0", ZooKeeperSettings.PORT_KEY, "0"));
        broker = new Broker(config, LogFactory.memory());
        broker.setAdvertisedAddress("127.0.0.1", 19999);
        broker.createTopics(Map.of("t", 2));
        bridge = ZooKeeperBridge.start(broker, ZooKeeperSettings.from(config), dir.resolve("zookeeper"));
        reader = connect(bridge.connectString(), 0, null);
    }

    @AfterEach
    void stop() throws Exception {
        if (reader != null) reader.close();
        if (bridge != null) bridge.close();
        if (broker != null) broker.close();
    }

    @Test
    void expiredSessionIsReplacedAndTheBrokerRegisteredAgain() throws Exception {
        long first = bridge.sessionId();
        assertEquals(first, reader.exists("/brokers/ids/0", false).getEphemeralOwner());
        // the classic way to expire a session: open it a second time and close that handle
        connect(bridge.connectString(), first, bridge.sessionPassword()).close();
        waitFor("a new session registered", () -> {
            Stat st = stat("/brokers/ids/0");
            Stat controller = stat("/controller");
            return st != null
                    && controller != null
                    && st.getEphemeralOwner() != first
                    && controller.getEphemeralOwner() == st.getEphemeralOwner();
        });
        assertNotEquals(first, bridge.sessionId());
        broker.createTopics(Map.of("after-expiry", 1));
        waitFor("topics mirrored with the new session", () -> stat("/brokers/topics/after-expiry") != null);
    }

    @Test
    void anExistingEnsembleWithAChrootIsUsedAndClosingUnregisters() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of("broker.id", "1"));
        try (Broker other = new Broker(config, LogFactory.memory())) {
            other.setAdvertisedAddress("127.0.0.1", 19998);
            other.createTopics(Map.of("u", 1));
            ZooKeeperBridge existing = ZooKeeperBridge.start(
                    other, new ZooKeeperSettings(-1, bridge.connectString() + "/kafka", 6000, 6000), null);
            assertEquals(-1, existing.embeddedPort());
            assertTrue(stat("/kafka/brokers/ids/1") != null, "registered under the chroot");
            assertTrue(stat("/kafka/brokers/topics/u/partitions/0/state") != null);
            existing.close();
            assertNull(stat("/kafka/brokers/ids/1"), "the ephemeral registration goes with the session");
            assertTrue(stat("/kafka/brokers/topics/u") != null, "topics stay, as with a 0.8 broker");
            assertTrue(!(other.version0Offsets() instanceof ZooKeeperOffsets), "v0 offsets back in the broker");
        }
    }

    @Test
    void offsetsAreTheDecimalTextOfTheNextOffset() throws Exception {
        ZooKeeperOffsets offsets = (ZooKeeperOffsets) broker.version0Offsets();
        TopicPartition tp = new TopicPartition("t", 1);
        assertNull(offsets.fetch("g", tp));
        offsets.commit("g", Map.of(tp, new CommittedOffset(42, -1, "dropped", 0)));
        assertEquals("42", new String(reader.getData("/consumers/g/offsets/t/1", false, null), StandardCharsets.UTF_8));
        assertEquals(42, offsets.fetch("g", tp).offset());
        assertNull(offsets.fetch("", tp), "a group that cannot be a znode has no offsets");
    }

    @Test
    void settingsNeedOneOfPortOrConnect() {
        assertNull(ZooKeeperSettings.from(BrokerConfig.defaults()));
        assertThrows(
                ConfigException.class,
                () -> ZooKeeperSettings.from(BrokerConfig.of(
                        Map.of(ZooKeeperSettings.PORT_KEY, "0", ZooKeeperSettings.CONNECT_KEY, "127.0.0.1:2181"))));
        assertEquals(
                "h:1/kafka",
                ZooKeeperSettings.from(BrokerConfig.of(Map.of(ZooKeeperSettings.CONNECT_KEY, "h:1/kafka")))
                        .connect());
    }

    private Stat stat(String path) throws KeeperException, InterruptedException {
        return reader.exists(path, false);
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

    private static ZooKeeper connect(String connect, long session, byte[] password) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher w = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        };
        ZooKeeper zk =
                password == null ? new ZooKeeper(connect, 6000, w) : new ZooKeeper(connect, 6000, w, session, password);
        assertTrue(connected.await(20, TimeUnit.SECONDS), "connected to " + connect);
        return zk;
    }
}
