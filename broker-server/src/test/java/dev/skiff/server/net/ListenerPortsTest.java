package dev.skiff.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.config.BrokerConfig;
import dev.skiff.server.SkiffServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Port 0 is taken below the kernel's ephemeral range, where no outgoing connection can hold it while a broker
 * restarts on it; a taken candidate is passed over, and without candidates the kernel picks.
 */
class ListenerPortsTest {

    private static int port(ServerSocketChannel ch) throws Exception {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    @Test
    void portZeroListensBelowTheEphemeralRange() throws Exception {
        int ephemeralLow = ListenerPorts.ephemeralLow();
        assumeTrue(ephemeralLow > 2 * 1024, "no ephemeral range known here, or no room below it");
        for (int i = 0; i < 5; i++) {
            try (SkiffServer server = SkiffServer.startInMemory(BrokerConfig.of(Map.of("port", "0")), Map.of());
                    Socket client = new Socket("127.0.0.1", server.port())) {
                assertTrue(
                        server.port() < ephemeralLow && server.port() >= ephemeralLow - ListenerPorts.WINDOW,
                        server.port() + " is not below " + ephemeralLow);
            }
        }
    }

    @Test
    void aTakenCandidateIsPassedOver() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int free;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                free = probe.getLocalPort();
            }
            ArrayDeque<Integer> candidates = new ArrayDeque<>(List.of(taken.getLocalPort(), free));
            try (ServerSocketChannel ch = ListenerPorts.listen(
                    0,
                    () -> candidates.isEmpty() ? 0 : candidates.poll(),
                    p -> ListenerPorts.bindExactly("127.0.0.1", p, 8))) {
                assertEquals(free, port(ch));
            }
        }
    }

    @Test
    void withoutCandidatesTheKernelPicksAndAnExplicitPortIsKept() throws Exception {
        try (ServerSocketChannel ch =
                ListenerPorts.listen(0, () -> 0, p -> ListenerPorts.bindExactly("127.0.0.1", p, 8))) {
            assertNotEquals(0, port(ch));
            int chosen = port(ch);
            ch.close();
            try (ServerSocketChannel again = ListenerPorts.bind("127.0.0.1", chosen, 8)) {
                assertEquals(chosen, port(again));
            }
        }
    }
}
