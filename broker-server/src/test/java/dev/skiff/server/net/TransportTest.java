package dev.skiff.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both transports bind listeners as {@link ListenerPorts} does, and the setting picks them as documented. */
class TransportTest {

    private static void assumeUsable(Transport t) {
        assumeTrue(t != Transport.EPOLL || Epoll.isAvailable(), "Netty's native epoll does not load here");
    }

    private static int port(ServerChannel ch) {
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void portZeroListensBelowTheEphemeralRangeAndAcceptsAtTheKernel(Transport t) throws Exception {
        assumeUsable(t);
        int ephemeralLow = ListenerPorts.ephemeralLow();
        ServerChannel ch = t.listen("127.0.0.1", 0, 8);
        try {
            int port = port(ch);
            if (ephemeralLow > 2 * 1024) {
                assertTrue(
                        port < ephemeralLow && port >= ephemeralLow - ListenerPorts.WINDOW, port + " not below range");
            }
            // bound and listening before any event loop has it: the kernel queues the connection
            try (Socket client = new Socket("127.0.0.1", port)) {
                assertTrue(client.isConnected());
            }
        } finally {
            Transport.close(ch);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aTakenPortIsABindException(Transport t) throws Exception {
        assumeUsable(t);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThrows(BindException.class, () -> t.listen("127.0.0.1", taken.getLocalPort(), 8));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aClosedListenersPortCanBeTakenAgainAtOnce(Transport t) throws Exception {
        assumeUsable(t);
        ServerChannel first = t.listen("127.0.0.1", 0, 8);
        int port = port(first);
        try (Socket client = new Socket("127.0.0.1", port)) {
            Transport.close(first);
            ServerChannel again = t.listen("127.0.0.1", port, 8); // SO_REUSEADDR, as Kafka's acceptor
            try {
                assertEquals(port, port(again));
            } finally {
                Transport.close(again);
            }
        }
    }

    @Test
    void theSettingPicksATransport() {
        assertEquals(Transport.NIO, Transport.choose("nio"));
        assertEquals(Transport.NIO, Transport.choose(" NIO "));
        assertEquals(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO, Transport.choose("auto"));
        assertEquals(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO, Transport.choose(""));
        if (Epoll.isAvailable()) assertEquals(Transport.EPOLL, Transport.choose("epoll"));
        else assertThrows(UnsatisfiedLinkError.class, () -> Transport.choose("epoll"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.choose("kqueue"));
        assertTrue(e.getMessage().contains("auto, epoll or nio"), e.getMessage());
    }
}
