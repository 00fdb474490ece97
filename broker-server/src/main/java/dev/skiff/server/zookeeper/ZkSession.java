package dev.skiff.server.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ZooKeeper session that lasts as long as its owner: when ZooKeeper expires it, a new one is opened and
 * {@link #onNewSession} is told, so ephemeral nodes can be written again. Operations retry through
 * connection losses for a while, then fail with {@link ZooKeeperUnavailableException}.
 */
final class ZkSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZkSession.class);
    private static final long RETRY_PAUSE_MS = 100;

    /** One ZooKeeper call, run again on a new handle after a connection loss. */
    interface Call<T> {
        T run(ZooKeeper zk) throws KeeperException, InterruptedException;
    }

    private final String connect;
    private final int sessionTimeoutMs;
    private final long retryForMs;
    private final Object lock = new Object();
    private ZooKeeper zk; // guarded by lock
    private volatile Runnable onNewSession = () -> {};
    private volatile boolean closed;

    private ZkSession(String connect, int sessionTimeoutMs, long retryForMs) {
        this.connect = connect;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.retryForMs = retryForMs;
    }

    /** Opens a session, waiting up to {@code connectionTimeoutMs} for ZooKeeper to accept it. */
    static ZkSession open(String connect, int sessionTimeoutMs, int connectionTimeoutMs) throws IOException {
        ZkSession s = new ZkSession(connect, sessionTimeoutMs, Math.max(connectionTimeoutMs, sessionTimeoutMs));
        HandleWatcher first = s.newHandle(false);
        try {
            if (!first.connected.await(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                s.close();
                throw new IOException("no ZooKeeper answered at " + connect + " within " + connectionTimeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new IOException("interrupted while connecting to ZooKeeper at " + connect, e);
        }
        return s;
    }

    /** Called (on ZooKeeper's event thread; hand work off) each time a replacement session is established. */
    void onNewSession(Runnable r) {
        this.onNewSession = r;
    }

    long sessionId() {
        synchronized (lock) {
            return zk.getSessionId();
        }
    }

    byte[] sessionPassword() {
        synchronized (lock) {
            return zk.getSessionPasswd();
        }
    }

    private HandleWatcher newHandle(boolean replacement) throws IOException {
        HandleWatcher w = new HandleWatcher(replacement);
        synchronized (lock) {
            zk = new ZooKeeper(connect, sessionTimeoutMs, w);
            w.handle = zk;
        }
        return w;
    }

    /** Watches one handle's connection state; only the current handle may trigger a renewal. */
    private final class HandleWatcher implements Watcher {
        final CountDownLatch connected = new CountDownLatch(1);
        final boolean replacement;
        volatile ZooKeeper handle;

        HandleWatcher(boolean replacement) {
            this.replacement = replacement;
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() != Event.EventType.None || closed) return;
            switch (event.getState()) {
                case SyncConnected -> {
                    if (connected.getCount() > 0) {
                        connected.countDown();
                        if (replacement) {
                            log.info("New ZooKeeper session established after expiry");
                            onNewSession.run();
                        }
                    }
                }
                case Expired -> renew(this);
                default -> {}
            }
        }
    }

    private void renew(HandleWatcher expired) {
        synchronized (lock) {
            if (closed || expired.handle != zk) return;
            log.warn("ZooKeeper session 0x{} expired; opening a new one", Long.toHexString(zk.getSessionId()));
            closeQuietly(zk);
            try {
                newHandle(true);
            } catch (IOException | RuntimeException e) {
                log.error("Cannot open a new ZooKeeper session at {}: {}", connect, e.toString());
            }
        }
    }

    private ZooKeeper current() {
        synchronized (lock) {
            return zk;
        }
    }

    /** Runs a call, again after connection losses and session expiry, until it succeeds or time runs out. */
    <T> T call(String what, Call<T> call) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryForMs);
        while (true) {
            try {
                return call.run(current());
            } catch (KeeperException.ConnectionLossException
                    | KeeperException.SessionExpiredException
                    | KeeperException.SessionMovedException e) {
                if (closed || System.nanoTime() - deadline > 0) {
                    throw new ZooKeeperUnavailableException("ZooKeeper at " + connect + " unavailable: " + what, e);
                }
                pause(what);
            } catch (KeeperException e) {
                throw new ZooKeeperUnavailableException("ZooKeeper refused to " + what + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZooKeeperUnavailableException("interrupted while trying to " + what, e);
            } catch (IllegalArgumentException e) { // a path ZooKeeper rejects, e.g. a group id with '/'
                throw new ZooKeeperUnavailableException("cannot " + what + ": " + e.getMessage(), e);
            }
        }
    }

    private static void pause(String what) {
        try {
            Thread.sleep(RETRY_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("interrupted while trying to " + what, e);
        }
    }

    // ---- the few operations the bridge needs, each idempotent so that a retry is harmless ----

    /** Creates a persistent node and its missing parents, without data; nothing if it exists. */
    void ensurePath(String path) {
        call("create " + path, zk -> {
            createParents(zk, path, true);
            return null;
        });
    }

    /** Sets a persistent node's data, creating it and its parents if needed. */
    void writePersistent(String path, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        call("write " + path, zk -> {
            try {
                zk.setData(path, bytes, -1);
            } catch (KeeperException.NoNodeException e) {
                createParents(zk, path, false);
                try {
                    zk.create(path, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException raced) {
                    zk.setData(path, bytes, -1);
                }
            }
            return null;
        });
    }

    /** Writes an ephemeral node of this session, replacing one a former session left behind. */
    void writeEphemeral(String path, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        call("register " + path, zk -> {
            while (true) {
                Stat st = zk.exists(path, false);
                if (st != null && st.getEphemeralOwner() == zk.getSessionId()) {
                    zk.setData(path, bytes, -1);
                    return null;
                }
                if (st != null) deleteIfPresent(zk, path);
                createParents(zk, path, false);
                try {
                    zk.create(path, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                    return null;
                } catch (KeeperException.NodeExistsException raced) {
                    // someone (or our own lost create) got there first: look again
                }
            }
        });
    }

    /** The node's data (null if it has none), or null if the node does not exist; fills {@code stat}. */
    byte[] read(String path, Stat stat) {
        return call("read " + path, zk -> {
            try {
                return zk.getData(path, false, stat);
            } catch (KeeperException.NoNodeException e) {
                return null;
            }
        });
    }

    boolean exists(String path) {
        return call("look up " + path, zk -> zk.exists(path, false) != null);
    }

    List<String> children(String path) {
        return call("list " + path, zk -> {
            try {
                return zk.getChildren(path, false);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
        });
    }

    /** Deletes a node and everything under it; nothing if it does not exist. */
    void deleteRecursively(String path) {
        call("delete " + path, zk -> {
            deleteTree(zk, path);
            return null;
        });
    }

    private static void deleteTree(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        while (true) {
            List<String> children;
            try {
                children = zk.getChildren(path, false);
            } catch (KeeperException.NoNodeException e) {
                return;
            }
            for (String c : children) deleteTree(zk, path + "/" + c);
            try {
                deleteIfPresent(zk, path);
                return;
            } catch (KeeperException.NotEmptyException e) {
                // a child appeared meanwhile: go round again
            }
        }
    }

    private static void deleteIfPresent(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        try {
            zk.delete(path, -1);
        } catch (KeeperException.NoNodeException ignored) {
            // already gone
        }
    }

    /** Creates the ancestors of {@code path} (and the node itself if {@code inclusive}) that are missing. */
    private static void createParents(ZooKeeper zk, String path, boolean inclusive)
            throws KeeperException, InterruptedException {
        int end = inclusive ? path.length() : path.lastIndexOf('/');
        for (int i = path.indexOf('/', 1); ; i = path.indexOf('/', i + 1)) {
            String prefix = i < 0 || i > end ? path.substring(0, end) : path.substring(0, i);
            if (prefix.isEmpty()) return;
            try {
                zk.create(prefix, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException ignored) {
                // already there
            }
            if (i < 0 || i >= end) return;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            if (zk != null) closeQuietly(zk);
        }
    }

    private static void closeQuietly(ZooKeeper zk) {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("closing a ZooKeeper handle: {}", e.toString());
        }
    }
}
