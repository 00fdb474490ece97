package dev.skiff.server.zookeeper;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the znodes of a 0.8 cluster in step with the images the controller of a Skiff cluster publishes: one
 * registration per live broker ({@code /brokers/ids/<id>}, ephemeral, gone when the broker stops or dies), the
 * controller, and per topic its assignment, one state node per partition (leader, leader epoch, ISR) and its
 * configs. A 0.8 high-level consumer watches these to follow leaders, as it would with a real 0.8 cluster.
 *
 * <p>Images are applied on a thread of its own, newest first: one published while another is being written is
 * kept, and later ones replace it, so the controller never waits on ZooKeeper and a burst of changes costs one
 * write of the last state. Only nodes whose content changed are written.
 */
final class ClusterZnodeMirror implements Consumer<MetadataImage>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterZnodeMirror.class);
    /** A Skiff cluster has one controller for its life; 0.8 started counting at 1. */
    static final int CONTROLLER_EPOCH = 1;

    private final ZkSession zk;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "skiff-zookeeper-cluster");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<MetadataImage> pending = new AtomicReference<>();
    private volatile boolean closed;

    // written by the worker only
    private MetadataImage last;
    private final Map<String, String> written = new HashMap<>();
    private final Map<Integer, Long> registeredAt = new HashMap<>();
    private final Set<String> topics = new HashSet<>();
    private boolean fixedPathsDone;
    private long controllerSince = -1;

    ClusterZnodeMirror(ZkSession zk) {
        this.zk = zk;
    }

    /** Publishes an image: written soon, unless a newer one comes first. An older one than the last is ignored. */
    @Override
    public void accept(MetadataImage image) {
        if (closed) return;
        pending.accumulateAndGet(image, (old, now) -> old == null || now.offset() >= old.offset() ? now : old);
        worker.execute(this::drain);
    }

    /** Writes the image now and returns when it is done, or throws why it could not. */
    void applyNow(MetadataImage image) {
        accept(image);
        try {
            worker.submit(() -> {}).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("interrupted while writing to ZooKeeper", e);
        } catch (ExecutionException e) {
            throw new ZooKeeperUnavailableException("cannot write to ZooKeeper", e.getCause());
        }
    }

    /** Writes everything again soon: a new session lost the ephemeral nodes. */
    void rewriteLater() {
        if (closed) return;
        worker.execute(() -> {
            written.clear();
            registeredAt.clear();
            fixedPathsDone = false;
            if (pending.get() == null && last != null) pending.compareAndSet(null, last);
            drain();
        });
    }

    private void drain() {
        if (closed) return;
        MetadataImage image = pending.getAndSet(null);
        if (image == null) return;
        if (last != null && image.offset() < last.offset()) return;
        try {
            write(image);
            last = image;
        } catch (RuntimeException e) {
            // nothing is known about what got written: write everything with the next image
            log.warn("Could not mirror cluster metadata at offset {} to ZooKeeper: {}", image.offset(), e.getMessage());
            written.clear();
            fixedPathsDone = false;
            last = image;
        }
    }

    private void write(MetadataImage image) {
        if (!fixedPathsDone) {
            for (String path : KafkaZnodes.FIXED) zk.ensurePath(path);
            persistent(KafkaZnodes.CONTROLLER_EPOCH, Integer.toString(CONTROLLER_EPOCH));
            fixedPathsDone = true;
        }
        // brokers that stopped first, so that no leader points at a broker a consumer cannot find
        Set<Integer> live = new HashSet<>();
        for (int id : image.liveBrokers()) if (image.registeredBrokers().containsKey(id)) live.add(id);
        for (int id : new ArrayList<>(registeredAt.keySet())) {
            if (!live.contains(id)) {
                zk.deleteRecursively(KafkaZnodes.brokerPath(id));
                written.remove(KafkaZnodes.brokerPath(id));
                registeredAt.remove(id);
            }
        }
        for (int id : live) {
            BrokerEndpoint b = image.registeredBrokers().get(id);
            long since = registeredAt.computeIfAbsent(id, k -> System.currentTimeMillis());
            ephemeral(KafkaZnodes.brokerPath(id), KafkaZnodes.brokerRegistration(b.host(), b.port(), since));
        }
        int controller = controllerOf(image, live);
        if (controller >= 0) {
            ephemeral(KafkaZnodes.CONTROLLER, KafkaZnodes.controller(controller, controllerSince()));
        }

        Set<String> now = new HashSet<>();
        for (TopicImage t : image.topics().values()) {
            if (hidden(t.name())) continue;
            now.add(t.name());
            List<List<Integer>> replicas = new ArrayList<>();
            for (PartitionRegistration p : t.partitions()) replicas.add(p.replicas());
            // the assignment first: a 0.8 consumer reads /brokers/topics/<t> as JSON and must never find it empty
            persistent(KafkaZnodes.topicPath(t.name()), KafkaZnodes.partitionAssignment(replicas));
            for (int i = 0; i < t.partitions().size(); i++) {
                PartitionRegistration p = t.partitions().get(i);
                persistent(
                        KafkaZnodes.partitionStatePath(t.name(), i),
                        KafkaZnodes.partitionState(CONTROLLER_EPOCH, p.leader(), p.leaderEpoch(), p.isr()));
            }
            persistent(KafkaZnodes.topicConfigPath(t.name()), KafkaZnodes.topicConfig(t.configs()));
        }
        Set<String> gone = new HashSet<>(topics);
        gone.removeAll(now);
        // topics deleted while the bridge was away (an embedded ZooKeeper keeps its data across restarts)
        if (last == null) {
            for (String name : zk.children(KafkaZnodes.BROKER_TOPICS)) if (!now.contains(name)) gone.add(name);
        }
        for (String name : gone) {
            zk.deleteRecursively(KafkaZnodes.topicPath(name));
            zk.deleteRecursively(KafkaZnodes.topicConfigPath(name));
            written.keySet()
                    .removeIf(path -> path.startsWith(KafkaZnodes.topicPath(name) + "/")
                            || path.equals(KafkaZnodes.topicPath(name))
                            || path.equals(KafkaZnodes.topicConfigPath(name)));
        }
        topics.clear();
        topics.addAll(now);
    }

    private long controllerSince() {
        if (controllerSince < 0) controllerSince = System.currentTimeMillis();
        return controllerSince;
    }

    /** The controller the image names if it is a live broker, else the lowest live broker (0.8's always was one). */
    private static int controllerOf(MetadataImage image, Set<Integer> live) {
        if (live.contains(image.controllerId())) return image.controllerId();
        return live.stream().mapToInt(Integer::intValue).min().orElse(-1);
    }

    private void persistent(String path, String data) {
        if (data.equals(written.get(path))) return;
        zk.writePersistent(path, data);
        written.put(path, data);
    }

    private void ephemeral(String path, String data) {
        if (data.equals(written.get(path))) return;
        zk.writeEphemeral(path, data);
        written.put(path, data);
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
