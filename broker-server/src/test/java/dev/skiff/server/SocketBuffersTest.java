package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.config.BrokerConfig;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's socket.send.buffer.bytes and socket.receive.buffer.bytes reach the accepted connections. */
class SocketBuffersTest {

    private static SocketChannel accepted(SkiffServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // the accept runs on the broker's event loop
        while (System.nanoTime() < deadline) {
            Set<Channel> open = server.connections();
            if (!open.isEmpty()) return (SocketChannel) open.iterator().next();
            Thread.sleep(10);
        }
        throw new AssertionError("the server never saw the connection");
    }

    @Test
    void configuredSizesAreSetOnEachConnection() throws Exception {
        BrokerConfig config = BrokerConfig.of(
                Map.of("port", "0", "socket.send.buffer.bytes", "262144", "socket.receive.buffer.bytes", "131072"));
        try (SkiffServer server = SkiffServer.startInMemory(config, Map.of());
                Socket client = new Socket("127.0.0.1", server.port())) {
            SocketChannel ch = accepted(server);
            // Linux doubles what it is given (bookkeeping); other kernels keep it
            int send = ch.config().getSendBufferSize(), receive = ch.config().getReceiveBufferSize();
            assertTrue(send == 262144 || send == 2 * 262144, "SO_SNDBUF " + send);
            assertTrue(receive == 131072 || receive == 2 * 131072, "SO_RCVBUF " + receive);
        }
    }

    @Test
    void minusOneLeavesThemToTheKernel() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of("port", "0"));
        assertEquals(-1, config.socketSendBufferBytes);
        assertEquals(-1, config.socketReceiveBufferBytes);
        try (SkiffServer server = SkiffServer.startInMemory(config, Map.of());
                Socket client = new Socket("127.0.0.1", server.port())) {
            SocketChannel ch = accepted(server);
            assertTrue(ch.config().getSendBufferSize() > 0);
        }
    }
}
