package dev.skiff.server.zookeeper;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the znodes a Kafka 0.8 broker keeps in step with this broker: its registration, the controller,
 * and one entry per topic. Work runs on one thread of its own, in order, so topic events (raised while
 * the topic manager holds its lock) never wait on ZooKeeper; each task writes what the broker holds when
 * it runs, so late or repeated events are harmless.
 */
final class ZnodeMirror implements TopicManager.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZnodeMirror.class);

    private final Broker broker;
    private final ZkSession zk;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "skiff-zookeeper");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    ZnodeMirror(Broker broker, ZkSession zk) {
        this.broker = broker;
        this.zk = zk;
    }

    /** Writes everything now; returns when done or throws why it could not. */
    void syncNow() {
        try {
            worker.submit(this::syncAll).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("interrupted while registering in ZooKeeper", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re
                    ? re
                    : new ZooKeeperUnavailableException("cannot register in ZooKeeper", e.getCause());
        }
    }

    /** Writes everything again soon, e.g. for a new session whose ephemeral nodes are gone. */
    void syncLater() {
        run("re-register in ZooKeeper", this::syncAll);
    }

    @Override
    public void topicCreated(Topic topic) {
        run("mirror topic " + topic.name(), () -> mirrorTopic(topic.name()));
    }

    @Override
    public void topicDeleted(Topic topic) {
        run("remove topic " + topic.name(), () -> mirrorTopic(topic.name()));
    }

    private void run(String what, Runnable task) {
        if (closed) return;
        worker.execute(() -> {
            if (closed) return;
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Could not {}: {}", what, e.getMessage());
            }
        });
    }

    private void syncAll() {
        for (String path : KafkaZnodes.FIXED) zk.ensurePath(path);
        zk.writePersistent(KafkaZnodes.CONTROLLER_EPOCH, "1");
        long now = System.currentTimeMillis();
        int id = broker.nodeId();
        zk.writeEphemeral(
                KafkaZnodes.brokerPath(id),
                KafkaZnodes.brokerRegistration(broker.advertisedHost(), broker.advertisedPort(), now));
        zk.writeEphemeral(KafkaZnodes.CONTROLLER, KafkaZnodes.controller(id, now));
        Set<String> mirrored = new HashSet<>();
        for (Topic t : broker.topics().all()) {
            if (hidden(t.name())) continue;
            mirrorTopic(t.name());
            mirrored.add(t.name());
        }
        // topics deleted while the bridge was away (the embedded ZooKeeper keeps its data across restarts)
        for (String name : zk.children(KafkaZnodes.BROKER_TOPICS)) {
            if (!mirrored.contains(name) && broker.topics().get(name) == null) removeTopic(name);
        }
    }

    /** Brings one topic's znodes in line with the broker: written if it exists, removed if not. */
    private void mirrorTopic(String name) {
        if (hidden(name)) return;
        Topic t = broker.topics().get(name);
        if (t == null) {
            removeTopic(name);
            return;
        }
        int id = broker.nodeId();
        // the assignment first: a 0.8 consumer reads /brokers/topics/<t> as JSON and must never find it empty
        zk.writePersistent(
                KafkaZnodes.topicPath(name),
                KafkaZnodes.partitionAssignment(t.partitions().size(), id));
        for (int p = 0; p < t.partitions().size(); p++) {
            zk.writePersistent(KafkaZnodes.partitionStatePath(name, p), KafkaZnodes.partitionState(id));
        }
        zk.writePersistent(KafkaZnodes.topicConfigPath(name), KafkaZnodes.topicConfig(t.configs()));
    }

    private void removeTopic(String name) {
        zk.deleteRecursively(KafkaZnodes.topicPath(name));
        zk.deleteRecursively(KafkaZnodes.topicConfigPath(name));
    }

    /** Internal topics (offsets, transactions) did not exist in 0.8. */
    private static boolean hidden(String topic) {
        return topic.startsWith("__");
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        }
    }
}
