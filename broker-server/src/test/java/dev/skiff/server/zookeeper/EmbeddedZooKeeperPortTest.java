package dev.skiff.server.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.server.net.ListenerPorts;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded ZooKeeper takes port 0 as a broker's listener does, and starts again on the port it had. */
class EmbeddedZooKeeperPortTest {

    @TempDir
    Path dir;

    @Test
    void portZeroIsBelowTheEphemeralRangeAndKeptAcrossARestart() throws Exception {
        int ephemeralLow = ListenerPorts.ephemeralLow();
        assumeTrue(ephemeralLow > 2 * 1024, "no ephemeral range known here, or no room below it");
        int port;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start("127.0.0.1", 0, dir)) {
            port = zk.port();
            assertTrue(port < ephemeralLow, port + " is not below " + ephemeralLow);
        }
        try (EmbeddedZooKeeper again = EmbeddedZooKeeper.start("127.0.0.1", port, dir)) {
            assertEquals(port, again.port());
        }
    }

    @Test
    void aTakenExplicitPortFailsAndLeavesTheDirectoryUsable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThrows(BindException.class, () -> EmbeddedZooKeeper.start("127.0.0.1", taken.getLocalPort(), dir));
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start("127.0.0.1", 0, dir)) {
            assertTrue(zk.port() > 0);
        }
    }
}
