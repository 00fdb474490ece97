package dev.skiff.server.zookeeper;

import dev.skiff.broker.Broker;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.server.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets Kafka 0.8 high-level consumers use Skiff: they find brokers, topics and partitions in ZooKeeper and
 * keep their group there. The bridge runs a ZooKeeper server in-process (or uses an existing ensemble),
 * registers this broker and its topics there as a 0.8 broker would, keeps them current, and serves
 * OffsetCommit/OffsetFetch v0 from the consumers' offsets in ZooKeeper.
 *
 * <p>For a cluster of brokers in one process ({@link #startForCluster}), the znodes follow the images the
 * controller publishes ({@link #clusterListener()}): every live broker registered, every partition's leader,
 * leader epoch and ISR, updated on each change; each broker is {@link #attach attached} when it starts so that it
 * serves offsets v0 from ZooKeeper, and detached when it stops.
 */
public final class ZooKeeperBridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperBridge.class);
    private static final String EMBEDDED_HOST = "127.0.0.1";

    private final Broker broker; // null for a cluster
    private final EmbeddedZooKeeper server; // null when using an existing ensemble
    private final Path temporaryDir; // deleted on close; null unless the broker keeps no files
    private final String connectString;
    private ZkSession session;
    private ZnodeMirror mirror;
    private ClusterZnodeMirror clusterMirror;
    private ZooKeeperOffsets offsets;
    private final Set<Broker> attached = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private ZooKeeperBridge(Broker broker, EmbeddedZooKeeper server, Path temporaryDir, String connectString) {
        this.broker = broker;
        this.server = server;
        this.temporaryDir = temporaryDir;
        this.connectString = connectString;
    }

    /**
     * Starts the bridge for a broker that is already listening (its advertised port is known).
     *
     * @param dataDir where an embedded server keeps its data; null for a temporary directory removed on close
     */
    public static ZooKeeperBridge start(Broker broker, ZooKeeperSettings settings, Path dataDir) throws IOException {
        return open(broker, settings, dataDir);
    }

    /**
     * Starts the bridge for a cluster: nothing is registered until the first image arrives through
     * {@link #clusterListener()} (the controller calls it with its current image at once when subscribed).
     *
     * @param dataDir where an embedded server keeps its data; null for a temporary directory removed on close
     */
    public static ZooKeeperBridge startForCluster(ZooKeeperSettings settings, Path dataDir) throws IOException {
        return open(null, settings, dataDir);
    }

    private static ZooKeeperBridge open(Broker broker, ZooKeeperSettings settings, Path dataDir) throws IOException {
        EmbeddedZooKeeper server = null;
        Path temporary = null;
        String connect = settings.connect();
        if (settings.embedded()) {
            temporary = dataDir == null ? Files.createTempDirectory("skiff-zookeeper-") : null;
            server = EmbeddedZooKeeper.start(
                    EMBEDDED_HOST, settings.embeddedPort(), dataDir != null ? dataDir : temporary);
            connect = server.connectString();
        }
        ZooKeeperBridge bridge = new ZooKeeperBridge(broker, server, temporary, connect);
        try {
            bridge.connect(settings);
        } catch (IOException | RuntimeException e) {
            bridge.close();
            throw e;
        }
        return bridge;
    }

    private void connect(ZooKeeperSettings settings) throws IOException {
        ensureChroot(settings);
        session = ZkSession.open(connectString, settings.sessionTimeoutMs(), settings.connectionTimeoutMs());
        offsets = new ZooKeeperOffsets(session);
        if (broker == null) {
            clusterMirror = new ClusterZnodeMirror(session);
            session.onNewSession(clusterMirror::rewriteLater);
            log.info("ZooKeeper bridge for a cluster at {}", connectString);
            return;
        }
        mirror = new ZnodeMirror(broker, session);
        session.onNewSession(mirror::syncLater);
        broker.topics().addListener(mirror);
        mirror.syncNow();
        broker.setVersion0Offsets(offsets);
        log.info("Registered as broker {} in ZooKeeper at {}", broker.nodeId(), connectString);
    }

    /** Kafka expects a chroot ({@code host:port/kafka}) to exist already; creating it spares a manual step. */
    private void ensureChroot(ZooKeeperSettings settings) throws IOException {
        int slash = connectString.indexOf('/');
        if (slash < 0 || slash == connectString.length() - 1) return;
        try (ZkSession root = ZkSession.open(
                connectString.substring(0, slash), settings.sessionTimeoutMs(), settings.connectionTimeoutMs())) {
            root.ensurePath(connectString.substring(slash));
        }
    }

    /**
     * What the cluster's controller publishes to: registrations and partition states follow each image. Give it
     * to {@code Controller.subscribe}. Only for a bridge started with {@link #startForCluster}.
     */
    public Consumer<MetadataImage> clusterListener() {
        if (clusterMirror == null) throw new IllegalStateException("not a cluster bridge");
        return clusterMirror;
    }

    /** Writes this image now and returns when ZooKeeper has it (tests, and the first image at start). */
    public void publishNow(MetadataImage image) {
        if (clusterMirror == null) throw new IllegalStateException("not a cluster bridge");
        clusterMirror.applyNow(image);
    }

    /** A broker of the cluster started: it serves OffsetCommit/OffsetFetch v0 from ZooKeeper. */
    public void attach(Broker member) {
        member.setVersion0Offsets(offsets);
        attached.add(member);
    }

    /** A broker of the cluster stops. Its registration goes with the image that no longer lists it alive. */
    public void detach(Broker member) {
        if (attached.remove(member)) member.setVersion0Offsets(null);
    }

    /** {@code host:port} (and chroot, if any) for the clients' {@code zookeeper.connect}. */
    public String connectString() {
        return connectString;
    }

    /** The port of the embedded ZooKeeper server, or -1 when an existing one is used. */
    public int embeddedPort() {
        return server == null ? -1 : server.port();
    }

    /** Long-lived session of the bridge, for tests that need to expire it. */
    long sessionId() {
        return session.sessionId();
    }

    byte[] sessionPassword() {
        return session.sessionPassword();
    }

    /** Unregisters the broker (its ephemeral nodes go with the session) and stops an embedded server. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (mirror != null) {
            broker.setVersion0Offsets(null);
            mirror.close();
        }
        if (clusterMirror != null) clusterMirror.close();
        for (Broker member : attached) member.setVersion0Offsets(null);
        attached.clear();
        if (session != null) session.close();
        if (server != null) server.close();
        if (temporaryDir != null) deleteQuietly(temporaryDir);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            log.debug("leaving {}: {}", dir, e.toString());
        }
    }
}
