package dev.skiff.server.zookeeper;

import dev.skiff.server.net.ListenerPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A standalone Apache ZooKeeper server running in this JVM, its snapshots and logs in one directory. */
final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    private static final int TICK_MS = 2000;
    /** 0.8 consumers, producers and tools all connect from the same host; do not cap them. */
    private static final int UNLIMITED_CONNECTIONS = 0;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory connections;
    private final String host;

    private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory connections, String host) {
        this.server = server;
        this.connections = connections;
        this.host = host;
    }

    /** Starts on {@code host:port}; port 0 as a broker's listener takes it (see {@link ListenerPorts}). */
    static EmbeddedZooKeeper start(String host, int port, Path dir) throws IOException {
        return ListenerPorts.listen(port, p -> startOn(host, p, dir));
    }

    private static EmbeddedZooKeeper startOn(String host, int port, Path dir) throws IOException {
        Files.createDirectories(dir);
        ZooKeeperServer server = new ZooKeeperServer(dir.toFile(), dir.toFile(), TICK_MS);
        ServerCnxnFactory connections = new NIOServerCnxnFactory();
        try {
            connections.configure(new InetSocketAddress(host, port), UNLIMITED_CONNECTIONS);
            connections.startup(server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.shutdown();
            throw new IOException("interrupted while starting ZooKeeper", e);
        } catch (IOException | RuntimeException e) {
            connections.shutdown();
            try {
                server.getTxnLogFactory().close(); // a port-0 start tries again in the same directory
            } catch (IOException | RuntimeException ignored) {
                // the start's own failure is the one to report
            }
            throw e;
        }
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, connections, host);
        log.info(
                "ZooKeeper {} listening on {} with data in {}",
                org.apache.zookeeper.Version.getVersion(),
                zk.connectString(),
                dir);
        return zk;
    }

    int port() {
        return connections.getLocalPort();
    }

    String connectString() {
        return host + ":" + port();
    }

    @Override
    public void close() {
        connections.shutdown(); // also shuts the server down
        if (server.isRunning()) server.shutdown();
        try {
            server.getTxnLogFactory().close(); // release the transaction log so the directory can be deleted
        } catch (IOException | RuntimeException e) {
            log.debug("closing ZooKeeper's transaction log: {}", e.toString());
        }
    }
}
