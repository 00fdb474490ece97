package dev.skiff.broker.coordinator;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.LeadershipListener;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.producer.ClusterProducerIds;
import dev.skiff.broker.producer.SwitchableProducerIds;
import dev.skiff.broker.txn.MarkerWriter;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.broker.txn.TransactionMarkers;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group and transaction coordinators of one broker, following the leadership of the internal topics'
 * partitions: when this broker becomes the leader of a partition of {@code __consumer_offsets} or
 * {@code __transaction_state} (after its log is ready), that partition is replayed on a loader thread, not on
 * the caller's, and its groups, offsets and transactional ids are served from then on; while it loads, their
 * requests answer COORDINATOR_LOAD_IN_PROGRESS. When the leadership moves away the partition's state is
 * dropped (members waiting in a rebalance hear NOT_COORDINATOR) and its keys answer NOT_COORDINATOR, so clients
 * find the new coordinator. Loads and unloads run one at a time, in the order they were asked for.
 *
 * <p>A single broker leads every partition from its start: everything was loaded by the coordinators'
 * constructors, as before, and every key is served here. {@link #joinCluster} turns a broker into a member of
 * a cluster: it drops what was loaded, and from then on serves only the partitions it is told it leads.
 */
public final class Coordinators implements LeadershipListener, CoordinatorLocator {

    private static final Logger log = LoggerFactory.getLogger(Coordinators.class);
    /** How long a transaction marker waits for a partition's leader before the periodic check takes over. */
    static final long MARKER_RETRY_MS = 5_000;

    private enum Phase {
        LOADING,
        LOADED,
        GONE
    }

    private record Load(int leaderEpoch, Phase phase) {}

    private final BrokerConfig config;
    private final TopicManager topics;
    private final OffsetStore offsets;
    private final GroupCoordinator groups;
    private final TransactionCoordinator transactions;
    private final SwitchableProducerIds producerIds;
    private final boolean persistent;
    private final MarkerWriter localMarkers;
    /** The partitions whose leadership this broker was told of; the others are all here or none is. */
    private final Map<TopicPartition, Load> partitions = new ConcurrentHashMap<>();

    private volatile CoordinatorLocator placement;
    private volatile boolean allLocal = true;
    private volatile Supplier<MetadataImage> image;
    private volatile IntFunction<Coordinators> peers;
    private volatile Executor loader;
    private ExecutorService ownLoader;

    public Coordinators(
            BrokerConfig config,
            AdvertisedAddress address,
            TopicManager topics,
            OffsetStore offsets,
            GroupCoordinator groups,
            TransactionCoordinator transactions,
            SwitchableProducerIds producerIds,
            boolean persistent) {
        this.config = config;
        this.topics = topics;
        this.offsets = offsets;
        this.groups = groups;
        this.transactions = transactions;
        this.producerIds = producerIds;
        this.persistent = persistent;
        this.localMarkers = new TransactionMarkers(topics);
        this.placement = new SingleBrokerLocator(config, address, topics);
        transactions.useActive(id -> isLoaded(KeyType.TRANSACTION, id));
    }

    // ---------------------------------------------------------------- joining a cluster

    /**
     * Makes this broker one of a cluster, before it serves its first request: coordinators are found from the
     * metadata {@code image}, the internal topics are created through {@code controller}, markers go to each
     * partition's leader and the offsets of committed transactions to each group's coordinator through
     * {@code peers} (broker id -> that broker's Coordinators, null when it is not running; in-process calls),
     * and producer ids come from {@link ClusterProducerIds}. What was loaded at construction is dropped: the
     * broker serves a partition again once {@link #onBecomeLeader} is called for it.
     */
    public synchronized void joinCluster(
            Supplier<MetadataImage> image, Controller controller, IntFunction<Coordinators> peers) {
        this.image = image;
        this.peers = peers;
        this.placement = new ClusterCoordinatorLocator(image, controller, config);
        this.allLocal = false;
        for (KeyType type : KeyType.values()) {
            int n = Math.max(configuredPartitions(config, type), localPartitions(type));
            for (int p = 0; p < n; p++) unload(type, p);
        }
        partitions.clear();
        transactions.useMarkerWriter(new ClusterMarkerWriter(
                image,
                id -> {
                    Coordinators c = peers.apply(id);
                    return c == null ? null : c.localMarkers();
                },
                MARKER_RETRY_MS));
        transactions.useOffsets(new GroupOffsets(peers));
        producerIds.switchTo(ClusterProducerIds.forBroker(persistent, config.dataDir, config.nodeId));
        log.info("Broker {} coordinates the internal-topic partitions it leads", config.nodeId);
    }

    /** Tests: where loads and unloads run (a test may run them by hand to see a partition loading). */
    public void useLoader(Executor executor) {
        this.loader = executor;
    }

    // ---------------------------------------------------------------- LeadershipListener

    @Override
    public void onBecomeLeader(TopicPartition partition, int leaderEpoch) {
        KeyType type = KeyType.ofTopic(partition.topic());
        if (type == null) return;
        Load loading = new Load(leaderEpoch, Phase.LOADING);
        partitions.put(partition, loading);
        loader().execute(() -> load(type, partition, loading));
    }

    @Override
    public void onResign(TopicPartition partition, int newLeaderEpoch) {
        KeyType type = KeyType.ofTopic(partition.topic());
        if (type == null) return;
        partitions.put(partition, new Load(newLeaderEpoch, Phase.GONE));
        loader().execute(() -> unload(type, partition.partition()));
    }

    private void load(KeyType type, TopicPartition tp, Load loading) {
        if (partitions.get(tp) != loading) return; // resigned meanwhile: the unload queued after does the rest
        try {
            if (type == KeyType.GROUP) {
                offsets.loadPartition(tp.partition());
                groups.loadPartition(tp.partition());
            } else {
                transactions.loadPartition(tp.partition());
            }
        } catch (RuntimeException e) {
            log.warn("Loading {} failed: {}", tp, e.toString());
        }
        partitions.replace(tp, loading, new Load(loading.leaderEpoch(), Phase.LOADED));
    }

    private void unload(KeyType type, int partition) {
        try {
            if (type == KeyType.GROUP) {
                groups.unloadPartition(partition);
                offsets.unloadPartition(partition);
            } else {
                transactions.unloadPartition(partition);
            }
        } catch (RuntimeException e) {
            log.warn("Unloading {}-{} failed: {}", type.topic(), partition, e.toString());
        }
    }

    // ---------------------------------------------------------------- CoordinatorLocator

    @Override
    public int partitionFor(KeyType type, String key) {
        return placement.partitionFor(type, key);
    }

    @Override
    public BrokerEndpoint coordinator(KeyType type, String key) {
        return placement.coordinator(type, key);
    }

    @Override
    public BrokerEndpoint coordinator(KeyType type, String key, String listener) {
        return placement.coordinator(type, key, listener);
    }

    @Override
    public void ensureCoordinator(KeyType type, String key) {
        if (key == null) throw new ApiException(Errors.INVALID_REQUEST, "no coordinator key");
        switch (phase(type, key)) {
            case LOADED -> {}
            case LOADING ->
                throw new ApiException(
                        Errors.COORDINATOR_LOAD_IN_PROGRESS, "the coordinator of " + key + " is loading its state");
            case GONE ->
                throw new ApiException(
                        Errors.NOT_COORDINATOR, "broker " + config.nodeId + " is not the coordinator of " + key);
        }
    }

    @Override
    public TransactionCoordinator transactionsOf(String transactionalId, TransactionCoordinator local) {
        IntFunction<Coordinators> all = peers;
        if (all == null) return local;
        BrokerEndpoint at = coordinator(KeyType.TRANSACTION, transactionalId);
        Coordinators c = at.id() == config.nodeId ? this : all.apply(at.id());
        if (c == null) throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE, "broker " + at.id() + " is down");
        c.ensureCoordinator(KeyType.TRANSACTION, transactionalId);
        return c.transactions;
    }

    @Override
    public boolean hasPendingOffsets(String group, TopicPartition tp, TransactionCoordinator local) {
        IntFunction<Coordinators> all = peers;
        if (all == null) return local.hasPendingOffsets(group, tp);
        for (int id : image.get().registeredBrokers().keySet()) {
            Coordinators c = id == config.nodeId ? this : all.apply(id);
            if (c != null && c.transactions.hasPendingOffsets(group, tp)) return true;
        }
        return false;
    }

    /**
     * Whether a transactional batch of {@code producerId} may go into {@code tp}, a partition this broker
     * leads: the producer's transaction coordinator decides, wherever it runs (Kafka's leaders ask it with
     * AddPartitionsToTxn verify_only; here the brokers share a process and ask it directly). A single broker
     * asks its own. In a cluster the coordinator is the broker that has loaded the producer's transactional id;
     * while none has, because a partition of {@code __transaction_state} is loading or has no live leader (a
     * coordinator failover), the answer is NOT_ENOUGH_REPLICAS, which producers retry (Kafka answers it for
     * the coordinator errors of its verification, for the same reason); once every partition is served, a
     * producer none of them knows has no transaction (INVALID_TXN_STATE).
     */
    public Errors verifyProduce(long producerId, short producerEpoch, TopicPartition tp) {
        IntFunction<Coordinators> all = peers;
        if (all == null) return transactions.verifyProduce(producerId, producerEpoch, tp);
        MetadataImage now = image.get();
        boolean moving = false;
        for (int id : now.liveBrokers()) {
            Coordinators c = id == config.nodeId ? this : all.apply(id);
            if (c == null) continue;
            String transactionalId = c.transactions.transactionalIdOf(producerId);
            if (transactionalId == null) continue;
            switch (c.phase(KeyType.TRANSACTION, transactionalId)) {
                case LOADED -> {
                    return c.transactions.verifyProduce(producerId, producerEpoch, tp);
                }
                case LOADING -> moving = true;
                case GONE -> {} // a copy left by a coordinator that resigned, being unloaded
            }
        }
        if (moving || !allTransactionPartitionsServed(now, all)) return Errors.NOT_ENOUGH_REPLICAS;
        return Errors.INVALID_TXN_STATE;
    }

    /** Whether every partition of {@code __transaction_state} has a live leader that has loaded it. */
    private boolean allTransactionPartitionsServed(MetadataImage now, IntFunction<Coordinators> all) {
        TopicImage t = now.topic(KeyType.TRANSACTION.topic());
        if (t == null) return true;
        for (int p = 0; p < t.partitions().size(); p++) {
            PartitionRegistration r = t.partitions().get(p);
            if (!r.hasLeader() || !now.isAlive(r.leader())) return false;
            Coordinators c = r.leader() == config.nodeId ? this : all.apply(r.leader());
            Load l = c == null ? null : c.partitions.get(new TopicPartition(t.name(), p));
            if (l == null || l.phase() != Phase.LOADED) return false;
        }
        return true;
    }

    /** True when this broker coordinates {@code key} and has loaded it. */
    public boolean isLoaded(KeyType type, String key) {
        return phase(type, key) == Phase.LOADED;
    }

    private Phase phase(KeyType type, String key) {
        Load l = partitions.get(new TopicPartition(type.topic(), partitionFor(type, key)));
        if (l != null) return l.phase();
        return allLocal ? Phase.LOADED : Phase.GONE;
    }

    // ---------------------------------------------------------------- what peers call (in-process)

    /**
     * Writes markers into partitions this broker leads, for the transaction coordinator of any broker:
     * NOT_LEADER_OR_FOLLOWER for a partition another broker leads in the latest image.
     */
    public MarkerWriter localMarkers() {
        return (parts, producerId, epoch, commit) -> {
            Supplier<MetadataImage> img = image;
            if (img != null) {
                MetadataImage now = img.get();
                for (TopicPartition tp : parts) {
                    PartitionRegistration p = now.partition(tp.topic(), tp.partition());
                    if (p != null && p.leader() != config.nodeId)
                        throw new ApiException(
                                Errors.NOT_LEADER_OR_FOLLOWER,
                                "broker " + config.nodeId + " does not lead " + tp + " (broker " + p.leader()
                                        + " does)");
                }
            }
            localMarkers.write(parts, producerId, epoch, commit);
        };
    }

    /** Commits a group's offsets here, as its coordinator: NOT_COORDINATOR / LOAD_IN_PROGRESS otherwise. */
    public void commitOffsets(String group, Map<TopicPartition, CommittedOffset> committed) {
        ensureCoordinator(KeyType.GROUP, group);
        offsets.commit(group, committed);
    }

    /** A group's committed offset here, as its coordinator: NOT_COORDINATOR / LOAD_IN_PROGRESS otherwise. */
    public CommittedOffset fetchOffset(String group, TopicPartition tp) {
        ensureCoordinator(KeyType.GROUP, group);
        return offsets.fetch(group, tp);
    }

    /** The offsets of a committed transaction, sent to the coordinator of their group wherever it is. */
    private final class GroupOffsets implements OffsetBackend {
        private final IntFunction<Coordinators> peers;

        GroupOffsets(IntFunction<Coordinators> peers) {
            this.peers = peers;
        }

        private Coordinators of(String group) {
            BrokerEndpoint at = coordinator(KeyType.GROUP, group);
            Coordinators c = at.id() == config.nodeId ? Coordinators.this : peers.apply(at.id());
            if (c == null) throw new ApiException(Errors.COORDINATOR_NOT_AVAILABLE, "broker " + at.id() + " is down");
            return c;
        }

        @Override
        public void commit(String group, Map<TopicPartition, CommittedOffset> committed) {
            of(group).commitOffsets(group, committed);
        }

        @Override
        public CommittedOffset fetch(String group, TopicPartition tp) {
            return of(group).fetchOffset(group, tp);
        }
    }

    // ---------------------------------------------------------------- helpers

    private synchronized Executor loader() {
        Executor l = loader;
        if (l != null) return l;
        ownLoader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skiff-coordinator-loader-" + config.nodeId);
            t.setDaemon(true);
            return t;
        });
        loader = ownLoader;
        return ownLoader;
    }

    /** Stops the loader thread, if one was started. */
    public synchronized void close() {
        if (ownLoader != null) ownLoader.shutdownNow();
    }

    private int localPartitions(KeyType type) {
        var t = topics.get(type.topic());
        return t == null ? 0 : t.partitions().size();
    }

    /** The configured partition count of an internal topic (Skiff's default for the transaction log is 1). */
    static int configuredPartitions(BrokerConfig config, KeyType type) {
        return type == KeyType.GROUP
                ? Math.max(1, config.offsetsTopicPartitions)
                : Math.max(1, intSetting(config, "transaction.state.log.num.partitions", 1));
    }

    static int intSetting(BrokerConfig config, String key, int fallback) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
