package dev.skiff.it.cluster;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.FakeController;
import dev.skiff.broker.cluster.ReplicationLinks;
import dev.skiff.config.BrokerConfig;
import dev.skiff.server.SkiffServer;
import dev.skiff.server.replica.SocketReplicaChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A few brokers, each a real server on its own port, that replicate over Kafka's wire (SocketReplicaChannel)
 * under an in-memory controller: enough to test the replica path over sockets without the cluster fixture.
 */
public final class SocketCluster implements AutoCloseable {
    public final FakeController controller = new FakeController();
    public final ReplicationLinks links = new ReplicationLinks();
    private final Path dir;
    private final Map<String, String> extra;
    private final List<SkiffServer> servers = new ArrayList<>();

    public SocketCluster(Path dir, int brokers, Map<String, String> extra) {
        this.dir = dir;
        this.extra = extra;
        for (int id = 0; id < brokers; id++) servers.add(null);
        for (int id = 0; id < brokers; id++) start(id);
    }

    /** Starts (or restarts) broker {@code id} on its data directory and joins it to the cluster. */
    public SkiffServer start(int id) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "node.id", "" + id,
                "host.name", "127.0.0.1",
                "port", "0",
                "auto.create.topics.enable", "false",
                "replica.fetch.wait.max.ms", "100",
                "replica.fetch.backoff.ms", "20"));
        props.putAll(extra);
        BrokerConfig config = BrokerConfig.of(props);
        SkiffServer s = SkiffServer.start(config, LogFactory.files(dir.resolve("b" + id)), Map.of());
        servers.set(id, s);
        controller.register(new BrokerEndpoint(id, s.host(), s.port(), null));
        s.broker()
                .replicaManager()
                .joinCluster(controller, SocketReplicaChannel.factory(local -> "127.0.0.1", 5000), links);
        return s;
    }

    /** Stops broker {@code id}; the controller fences it. */
    public void stop(int id) {
        SkiffServer s = servers.get(id);
        servers.set(id, null);
        s.close();
        controller.fence(id);
    }

    public SkiffServer server(int id) {
        return servers.get(id);
    }

    public Partition partition(int id, String topic, int index) {
        return servers.get(id).broker().topics().partition(topic, index);
    }

    @Override
    public void close() {
        for (SkiffServer s : servers) if (s != null) s.close();
    }
}
