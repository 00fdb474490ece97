package dev.skiff.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.replica.ReplicaChannel;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.server.SkiffServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A follower's fetcher connects from its broker's own address with a port the kernel picks. That port may be
 * the one another cluster (port 0: the first broker picks it on 127.0.0.1) then wants on the same address, and
 * a broker must still be able to listen there while the fetcher's connection lives.
 */
class FetcherPortReuseTest {

    private static boolean canBind(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aBrokerListensOnThePortOfALiveFetcherConnection() throws Exception {
        assumeTrue(canBind("127.0.0.2"), "only 127.0.0.1 is a loopback address here");
        try (ServerSocket leader = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ReplicaChannel channel = SocketReplicaChannel.factory(id -> "127.0.0.2", 5_000)
                    .connect(1, new BrokerEndpoint(0, "127.0.0.1", leader.getLocalPort(), null));
            // the leader never answers: the fetch holds the connection open until the channel is closed
            Thread fetch = new Thread(() -> channel.fetch(new FetchRequestData(), (short) 12));
            fetch.start();
            try (Socket accepted = leader.accept()) {
                InetSocketAddress from = (InetSocketAddress) accepted.getRemoteSocketAddress();
                assertEquals("127.0.0.2", from.getAddress().getHostAddress());
                BrokerConfig config =
                        BrokerConfig.of(Map.of("host.name", "127.0.0.2", "port", Integer.toString(from.getPort())));
                try (SkiffServer server = SkiffServer.startInMemory(config, Map.of())) {
                    assertEquals(from.getPort(), server.port());
                }
            } finally {
                channel.close();
                fetch.join();
            }
        }
    }
}
