package dev.skiff.it.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** Reads znodes with the current ZooKeeper client (the broker's 3.9.4, on this module's classpath). */
final class ZnodeReader implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ZooKeeper zk;

    ZnodeReader(String connect) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        if (!connected.await(20, TimeUnit.SECONDS)) throw new IOException("no ZooKeeper at " + connect);
    }

    /** The node's data as text; null if the node has no data or does not exist. */
    String text(String path) throws KeeperException, InterruptedException {
        try {
            byte[] data = zk.getData(path, false, null);
            return data == null ? null : new String(data, StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    JsonNode json(String path) throws Exception {
        String text = text(path);
        if (text == null) throw new IllegalStateException("no data at " + path); // Poll retries exceptions
        return JSON.readTree(text);
    }

    /** Null if the node does not exist. */
    Stat stat(String path) throws KeeperException, InterruptedException {
        return zk.exists(path, false);
    }

    boolean exists(String path) throws KeeperException, InterruptedException {
        return stat(path) != null;
    }

    List<String> children(String path) throws KeeperException, InterruptedException {
        try {
            return zk.getChildren(path, false);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    @Override
    public void close() throws InterruptedException {
        zk.close();
    }
}
