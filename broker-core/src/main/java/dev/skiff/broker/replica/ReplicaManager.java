package dev.skiff.broker.replica;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.LeaderCheck;
import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.LeadershipListener;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.ReplicationLinks;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.config.TopicConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica side of one broker in a cluster (Kafka's ReplicaManager and Partition's replication part).
 * {@link #apply} turns the broker into the leader or a follower of each partition the controller's image
 * assigns it: a leader starts its epoch at its log end, tracks each follower's log end from their fetches,
 * moves the high watermark to what every in-sync replica has, and asks the controller to grow the ISR when
 * a follower caught up or shrink it when one lagged past replica.lag.time.max.ms; a follower stops serving
 * clients and copies the leader through a {@link ReplicaFetcher} (one per leader broker), truncating first
 * with OffsetForLeaderEpoch. {@link LeadershipListener}s hear about every leadership gained or lost.
 *
 * <p>Every broker keeps a log for every partition of the image, replica or not, so admin lookups (configs,
 * topic ids) answer alike on every broker; only replicas hold data, and only the leader serves clients
 * ({@link #check}).
 *
 * <p>Before {@link #joinCluster} the broker is a single broker and nothing here runs: partitions keep no
 * role and their high watermark is their log end, as always.
 */
public final class ReplicaManager implements AutoCloseable, LeaderCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int brokerId;
    private final TopicManager topics;
    private final ReplicaConfig config;
    private final LongSupplier clock;
    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<TopicPartition, LeaderState> led = new ConcurrentHashMap<>();
    /** Partitions this broker follows, with the leader and epoch it follows them at; guarded by this. */
    private final Map<TopicPartition, PartitionRegistration> followed = new HashMap<>();
    /** One fetcher per leader broker; guarded by this. */
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    /** AlterPartition calls run here, never under a lock (the controller may publish while answering). */
    private final ExecutorService alterIsr;

    private final ScheduledExecutorService timer;
    private volatile Controller controller;
    private volatile ReplicaChannel.Factory channels;
    private volatile ReplicationLinks links = new ReplicationLinks();
    private volatile MetadataImage image;
    private ScheduledFuture<?> isrCheck;
    private final HighWatermarkCheckpoint checkpoint;
    /** High watermarks read at start, given to each partition when it first gets a role; guarded by this. */
    private final Map<TopicPartition, Long> restoredHighWatermarks;

    private volatile boolean closed;

    public ReplicaManager(int brokerId, TopicManager topics, ReplicaConfig config, LongSupplier clock) {
        this(brokerId, topics, config, clock, null);
    }

    /** {@code checkpoint}: where high watermarks are kept across restarts; null keeps none (logs in memory). */
    public ReplicaManager(
            int brokerId,
            TopicManager topics,
            ReplicaConfig config,
            LongSupplier clock,
            HighWatermarkCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.restoredHighWatermarks = checkpoint == null ? new HashMap<>() : checkpoint.read();
        this.brokerId = brokerId;
        this.topics = topics;
        this.config = config;
        this.clock = clock;
        this.alterIsr = Executors.newSingleThreadExecutor(r -> daemon(r, "skiff-alter-isr-" + brokerId));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "skiff-isr-check-" + brokerId));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public int brokerId() {
        return brokerId;
    }

    public ReplicaConfig config() {
        return config;
    }

    /** Told, after the log is ready, whenever this broker starts or stops leading a partition. */
    public void addLeadershipListener(LeadershipListener listener) {
        listeners.add(listener);
    }

    /** True once {@link #joinCluster} ran: replica fetches are followers', partitions have roles. */
    public boolean inCluster() {
        return controller != null;
    }

    /**
     * Joins a cluster: follows the controller's images from now on ({@code controller.subscribe} calls
     * {@link #apply} with the current image at once), opens channels to leaders through {@code channels},
     * and stops fetching while {@code links} says this broker's replication is cut.
     */
    public void joinCluster(Controller controller, ReplicaChannel.Factory channels, ReplicationLinks links) {
        synchronized (this) {
            this.controller = controller;
            this.channels = channels;
            this.links = links;
            long every = Math.max(1, config.lagTimeMaxMs() / 2);
            isrCheck = timer.scheduleWithFixedDelay(this::shrinkIsrs, every, every, TimeUnit.MILLISECONDS);
            long hw = Math.max(1, config.highWatermarkCheckpointIntervalMs());
            if (checkpoint != null)
                timer.scheduleWithFixedDelay(this::checkpointHighWatermarks, hw, hw, TimeUnit.MILLISECONDS);
        }
        controller.subscribe(brokerId, this::apply);
    }

    /** The image last applied, or null. */
    public MetadataImage image() {
        return image;
    }

    /**
     * Applies the controller's image: creates local partitions this broker is assigned, becomes leader or
     * follower of each as the image says, and stops following what it no longer has.
     */
    public synchronized void apply(MetadataImage next) {
        if (closed) return;
        if (image != null && next.offset() < image.offset()) return; // an older image arriving late
        this.image = next;
        syncTopics(next);
        Set<TopicPartition> mine = new HashSet<>();
        for (TopicImage t : next.topics().values()) {
            for (int i = 0; i < t.partitions().size(); i++) {
                PartitionRegistration reg = t.partitions().get(i);
                if (!reg.replicas().contains(brokerId)) continue;
                TopicPartition tp = new TopicPartition(t.name(), i);
                Partition p = localPartition(t, i);
                if (p == null) continue;
                mine.add(tp);
                Long restored = p.role() == null ? restoredHighWatermarks.remove(tp) : null;
                if (restored != null) p.setHighWatermark(restored);
                int minIsr = minInsyncReplicas(t);
                if (reg.leader() == brokerId) lead(p, reg, minIsr);
                else follow(p, reg, minIsr);
            }
        }
        for (TopicPartition tp : new ArrayList<>(led.keySet())) {
            if (!mine.contains(tp)) resign(led.remove(tp), -1);
        }
        for (TopicPartition tp : new ArrayList<>(followed.keySet())) {
            if (!mine.contains(tp)) stopFollowing(tp);
        }
        fetchers.values().removeIf(f -> {
            if (!f.isEmpty()) return false;
            f.shutdown();
            return true;
        });
        // every fetcher dials its leader's registered address, with all its partitions: a leader that registered
        // again elsewhere may keep its leaderships and epochs, so follow() sees no change for it
        fetchers.forEach((leaderId, f) -> {
            BrokerEndpoint now = next.registeredBrokers().get(leaderId);
            if (now != null) f.moveTo(now);
        });
    }

    /** Makes the local topics those of the image: created with the controller's id, grown, configured, deleted. */
    private void syncTopics(MetadataImage next) {
        for (Topic local : List.copyOf(topics.all())) {
            if (InternalTopics.isInternal(local.name())) continue;
            TopicImage t = next.topic(local.name());
            if (t == null || !t.id().equals(local.id())) {
                TopicPartition[] gone = new TopicPartition[local.partitions().size()];
                for (int i = 0; i < gone.length; i++) gone[i] = new TopicPartition(local.name(), i);
                for (TopicPartition tp : gone) {
                    resign(led.remove(tp), -1);
                    if (followed.containsKey(tp)) stopFollowing(tp);
                }
                topics.delete(local.name());
            }
        }
        for (TopicImage t : next.topics().values()) {
            try {
                Topic local = topics.get(t.name());
                if (local == null) {
                    topics.createReplica(t.name(), t.id(), t.partitions().size(), t.configs());
                    continue;
                }
                if (local.partitions().size() < t.partitions().size())
                    topics.addPartitions(t.name(), t.partitions().size());
                if (!local.configs().equals(t.configs())) topics.setConfigs(t.name(), t.configs());
            } catch (RuntimeException e) {
                LOG.warn("Broker {} cannot make the logs of topic {}: {}", brokerId, t.name(), e.toString());
            }
        }
    }

    /**
     * Whether this broker serves clients' Produce, Fetch and ListOffsets for a partition: before joining a
     * cluster, or for a partition the image does not know (internal topics), yes; else only as its leader.
     */
    @Override
    public Errors check(String topic, int partition) {
        MetadataImage i = image;
        PartitionRegistration r = i == null ? null : i.partition(topic, partition);
        if (r == null || r.leader() == brokerId) return Errors.NONE;
        return Errors.NOT_LEADER_OR_FOLLOWER;
    }

    @Override
    public LeaderHint hint(String topic, int partition) {
        MetadataImage i = image;
        PartitionRegistration r = i == null ? null : i.partition(topic, partition);
        if (r == null) return null;
        BrokerEndpoint b =
                r.hasLeader() && i.isAlive(r.leader()) ? i.registeredBrokers().get(r.leader()) : null;
        return b == null
                ? new LeaderHint(r.leader(), r.leaderEpoch(), null, -1, null)
                : new LeaderHint(r.leader(), r.leaderEpoch(), b.host(), b.port(), b.rack());
    }

    private int minInsyncReplicas(TopicImage t) {
        Topic local = topics.get(t.name());
        String v = t.configs().get(TopicConfig.MIN_INSYNC_REPLICAS);
        if (v == null && local != null) v = topics.effectiveConfig(local, TopicConfig.MIN_INSYNC_REPLICAS);
        try {
            return v == null ? 1 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** The local partition, created (with the controller's topic id) when missing. */
    private Partition localPartition(TopicImage t, int index) {
        Topic local = topics.get(t.name());
        try {
            if (local == null)
                local = topics.createReplica(t.name(), t.id(), t.partitions().size(), t.configs());
            else if (local.partitions().size() < t.partitions().size())
                local = topics.addPartitions(t.name(), t.partitions().size());
        } catch (RuntimeException e) {
            LOG.error("Broker {} cannot create its replica of {}: {}", brokerId, t.name(), e.toString());
            return null;
        }
        return local == null ? null : local.partition(index);
    }

    // ---- leader -----------------------------------------------------------------------------------------

    private void lead(Partition p, PartitionRegistration reg, int minIsr) {
        TopicPartition tp = p.id();
        LeaderState current = led.get(tp);
        Partition.ReplicaRole role = new Partition.ReplicaRole(true, reg.leaderEpoch(), reg.isr(), minIsr);
        if (current != null && current.partition == p && current.leaderEpoch() == reg.leaderEpoch()) {
            current.update(reg, role);
            publishFollowersLogStart(current); // a follower's broker may have come or gone
            return;
        }
        if (followed.containsKey(tp)) stopFollowing(tp);
        long now = clock.getAsLong();
        p.log().leaderEpochCache().assign(reg.leaderEpoch(), p.log().logEndOffset());
        LeaderState state = new LeaderState(p, reg, p.log().logEndOffset(), now);
        state.role = role;
        led.put(tp, state);
        p.becomeLeader(role, () -> maybeAdvanceHighWatermark(state));
        maybeAdvanceHighWatermark(state);
        publishFollowersLogStart(state);
        LOG.info("Broker {} leads {} at epoch {}, ISR {}", brokerId, tp, reg.leaderEpoch(), reg.isr());
        for (LeadershipListener l : listeners) {
            try {
                l.onBecomeLeader(tp, reg.leaderEpoch());
            } catch (RuntimeException e) {
                LOG.error("Leadership listener failed for {}: {}", tp, e.toString());
            }
        }
    }

    private void resign(LeaderState state, int newEpoch) {
        if (state == null) return;
        for (LeadershipListener l : listeners) {
            try {
                l.onResign(state.partition.id(), newEpoch);
            } catch (RuntimeException e) {
                LOG.error("Leadership listener failed for {}: {}", state.partition.id(), e.toString());
            }
        }
    }

    /** What the leader knows of one follower. */
    static final class FollowerState {
        long logEndOffset = -1; // unknown until it fetches under this leader
        long logStartOffset = -1; // likewise; the low watermark waits for it
        long lastCaughtUpMs;
        long lastFetchLeaderLogEnd = -1;
        long lastFetchMs;

        FollowerState(long nowMs) {
            this.lastCaughtUpMs = nowMs;
        }
    }

    /** A partition this broker leads: the registration in force and its followers' progress. */
    final class LeaderState {
        final Partition partition;
        final long epochStartOffset;
        final Map<Integer, FollowerState> followers = new HashMap<>();
        PartitionRegistration reg;
        Partition.ReplicaRole role;
        boolean alterInFlight;

        LeaderState(Partition partition, PartitionRegistration reg, long epochStartOffset, long nowMs) {
            this.partition = partition;
            this.reg = reg;
            this.epochStartOffset = epochStartOffset;
            for (int r : reg.replicas()) if (r != brokerId) followers.put(r, new FollowerState(nowMs));
        }

        synchronized int leaderEpoch() {
            return reg.leaderEpoch();
        }

        synchronized void update(PartitionRegistration next, Partition.ReplicaRole nextRole) {
            if (next.partitionEpoch() < reg.partitionEpoch()) return;
            reg = next;
            role = nextRole;
            long now = clock.getAsLong();
            for (int r : next.replicas()) if (r != brokerId) followers.putIfAbsent(r, new FollowerState(now));
            partition.updateRole(nextRole);
        }
    }

    /**
     * Checks that a replica fetch comes from the broker it claims to be: a registered broker, connecting from
     * its registered host. Else CLUSTER_AUTHORIZATION_FAILED, Kafka's answer to a fetch it does not allow.
     */
    public void authorizeReplica(int replicaId, String clientAddress) {
        MetadataImage img = image;
        BrokerEndpoint claimed = img == null ? null : img.registeredBrokers().get(replicaId);
        if (claimed == null || replicaId == brokerId)
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED,
                    "Replica id " + replicaId + " is not a broker of this cluster");
        if (!sameHost(claimed.host(), clientAddress))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED,
                    "Replica fetch claiming broker " + replicaId + " comes from " + clientAddress + ", not from "
                            + claimed.host());
    }

    static boolean sameHost(String registered, String clientAddress) {
        if (clientAddress == null) return false;
        String host = clientAddress;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(':') == colon) host = host.substring(0, colon);
        if (host.startsWith("/")) host = host.substring(1);
        if (host.equalsIgnoreCase(registered)) return true;
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(registered)) {
                if (a.getHostAddress().equalsIgnoreCase(host)) return true;
            }
        } catch (java.net.UnknownHostException e) {
            return false;
        }
        return false;
    }

    /**
     * A follower fetched {@code fetchOffset} of {@code p}, its log starting at {@code logStartOffset} (-1: not
     * said, before Fetch v5): records its progress and its catching up, grows the ISR when it caught up, moves
     * the high and low watermarks. Refuses with NOT_LEADER_OR_FOLLOWER (not led here, or the replica is not
     * assigned), the epoch errors, or OFFSET_OUT_OF_RANGE (beyond the log end).
     */
    public void onFollowerFetch(
            Partition p, int replicaId, int currentLeaderEpoch, long fetchOffset, long logStartOffset) {
        p.checkLeader(currentLeaderEpoch);
        LeaderState state = led.get(p.id());
        if (state == null || state.partition != p)
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + p.id());
        long leaderEnd = p.log().logEndOffset();
        if (fetchOffset < 0 || fetchOffset > leaderEnd)
            throw new ApiException(
                    Errors.OFFSET_OUT_OF_RANGE,
                    "Fetch offset " + fetchOffset + " of " + p.id() + " is outside " + p.logStartOffset() + ".."
                            + leaderEnd);
        boolean expand;
        synchronized (state) {
            FollowerState f = state.followers.get(replicaId);
            if (f == null || !state.reg.replicas().contains(replicaId))
                throw new ApiException(
                        Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + replicaId + " is not a replica of " + p.id());
            long now = clock.getAsLong();
            if (fetchOffset >= leaderEnd) f.lastCaughtUpMs = now;
            else if (f.lastFetchLeaderLogEnd >= 0 && fetchOffset >= f.lastFetchLeaderLogEnd)
                f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
            f.lastFetchLeaderLogEnd = leaderEnd;
            f.lastFetchMs = now;
            f.logEndOffset = fetchOffset;
            f.logStartOffset = logStartOffset;
            expand = !state.reg.isr().contains(replicaId)
                    && !state.alterInFlight
                    && fetchOffset >= p.highWatermark()
                    && fetchOffset >= state.epochStartOffset;
            if (expand) {
                List<Integer> isr = new ArrayList<>(state.reg.isr());
                isr.add(replicaId);
                requestIsr(state, isr);
            }
        }
        maybeAdvanceHighWatermark(state);
        publishFollowersLogStart(state);
    }

    /**
     * Tells the partition the lowest log start among its followers on live brokers (-1 while one has not
     * fetched under this leader), which holds DeleteRecords back as Kafka's low watermark does: a follower
     * that has not moved its log start could be elected and serve what was deleted. A fenced broker's
     * replica is not waited for. Told under the state's lock, so that two callers cannot tell it in the other
     * order (a broker coming back can lower the value).
     */
    private void publishFollowersLogStart(LeaderState state) {
        MetadataImage img = image;
        synchronized (state) {
            long lowest = Long.MAX_VALUE;
            for (int r : state.reg.replicas()) {
                if (r == brokerId || img == null || !img.isAlive(r)) continue;
                FollowerState f = state.followers.get(r);
                lowest = Math.min(lowest, f == null ? -1 : f.logStartOffset);
            }
            state.partition.setFollowersLogStart(lowest);
        }
    }

    /** High watermark = the smallest log end among the ISR (the leader's own included). */
    void maybeAdvanceHighWatermark(LeaderState state) {
        Partition p = state.partition;
        long hw = p.log().logEndOffset();
        synchronized (state) {
            for (int r : state.reg.isr()) {
                if (r == brokerId) continue;
                FollowerState f = state.followers.get(r);
                if (f == null || f.logEndOffset < 0) return; // not heard from yet under this leader
                hw = Math.min(hw, f.logEndOffset);
            }
        }
        if (hw > p.highWatermark()) p.setHighWatermark(hw);
    }

    /** Drops from the ISR every follower that has not caught up for replica.lag.time.max.ms. */
    void shrinkIsrs() {
        long now = clock.getAsLong();
        for (LeaderState state : led.values()) {
            synchronized (state) {
                if (state.alterInFlight) continue;
                List<Integer> keep = new ArrayList<>();
                for (int r : state.reg.isr()) {
                    FollowerState f = state.followers.get(r);
                    if (r == brokerId || f == null || now - f.lastCaughtUpMs <= config.lagTimeMaxMs()) keep.add(r);
                }
                if (keep.size() < state.reg.isr().size()) {
                    LOG.info(
                            "Broker {} shrinks the ISR of {} from {} to {}",
                            brokerId,
                            state.partition.id(),
                            state.reg.isr(),
                            keep);
                    requestIsr(state, keep);
                }
            }
        }
    }

    /** Runs the ISR check now (tests that do not want to wait for its period). */
    public void checkIsrNow() {
        shrinkIsrs();
    }

    /** Called holding the state's lock: AlterPartition goes to the controller on its own thread. */
    private void requestIsr(LeaderState state, List<Integer> isr) {
        Controller c = controller;
        if (c == null || closed) return;
        state.alterInFlight = true;
        PartitionRegistration sent = state.reg;
        TopicPartition tp = state.partition.id();
        try {
            alterIsr.execute(() -> {
                PartitionRegistration answer = null;
                try {
                    answer = c.alterPartition(brokerId, tp, sent.leaderEpoch(), sent.partitionEpoch(), isr);
                } catch (ApiException e) {
                    LOG.info("Controller refused the ISR {} of {}: {}", isr, tp, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.warn("AlterPartition of {} failed: {}", tp, e.toString());
                }
                synchronized (state) {
                    state.alterInFlight = false;
                    if (answer != null && answer.leader() == brokerId && answer.leaderEpoch() == sent.leaderEpoch())
                        state.update(
                                answer,
                                new Partition.ReplicaRole(
                                        true,
                                        answer.leaderEpoch(),
                                        answer.isr(),
                                        state.role == null ? 1 : state.role.minInsyncReplicas()));
                }
                maybeAdvanceHighWatermark(state);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            state.alterInFlight = false;
        }
    }

    // ---- follower ---------------------------------------------------------------------------------------

    private void follow(Partition p, PartitionRegistration reg, int minIsr) {
        TopicPartition tp = p.id();
        Partition.ReplicaRole role = new Partition.ReplicaRole(false, reg.leaderEpoch(), reg.isr(), minIsr);
        PartitionRegistration before = followed.get(tp);
        if (before != null && before.leader() == reg.leader() && before.leaderEpoch() == reg.leaderEpoch()) {
            followed.put(tp, reg);
            p.updateRole(role);
            return;
        }
        LeaderState wasLeader = led.remove(tp);
        if (before != null) stopFollowing(tp);
        p.becomeFollower(role);
        if (wasLeader != null) {
            LOG.info("Broker {} resigns {} for epoch {}", brokerId, tp, reg.leaderEpoch());
            resign(wasLeader, reg.leaderEpoch());
        }
        followed.put(tp, reg);
        if (!reg.hasLeader()) return;
        MetadataImage img = image;
        BrokerEndpoint leader = img.registeredBrokers().get(reg.leader());
        if (leader == null) return;
        ReplicaFetcher fetcher = fetchers.get(reg.leader());
        if (fetcher == null) { // one already there moves to the leader's address at the end of apply()
            fetcher = new ReplicaFetcher(brokerId, leader, channels, () -> links, config);
            fetchers.put(reg.leader(), fetcher);
            fetcher.start();
        }
        fetcher.add(p, reg.leaderEpoch());
    }

    private void stopFollowing(TopicPartition tp) {
        PartitionRegistration reg = followed.remove(tp);
        if (reg == null) return;
        ReplicaFetcher f = fetchers.get(reg.leader());
        if (f != null) f.remove(tp);
    }

    /** The fetcher copying from {@code leaderId}, or null (tests). */
    public synchronized ReplicaFetcher fetcher(int leaderId) {
        return fetchers.get(leaderId);
    }

    /** Writes the high watermark of every partition with a role (leader or follower) to the checkpoint. */
    public void checkpointHighWatermarks() {
        if (checkpoint == null) return;
        Map<TopicPartition, Long> hws = new HashMap<>();
        synchronized (this) {
            for (LeaderState s : led.values()) hws.put(s.partition.id(), s.partition.highWatermark());
            for (TopicPartition tp : followed.keySet()) {
                Partition p = topics.partition(tp.topic(), tp.partition());
                if (p != null) hws.put(tp, p.highWatermark());
            }
            // partitions not assigned a role yet keep what they had
            restoredHighWatermarks.forEach(hws::putIfAbsent);
        }
        try {
            checkpoint.write(hws);
        } catch (RuntimeException e) {
            LOG.warn("Broker {} cannot checkpoint high watermarks: {}", brokerId, e.toString());
        }
    }

    /** Stops fetching and following; the controller stops sending images. Partitions keep their data. */
    @Override
    public void close() {
        if (inCluster() && !closed) checkpointHighWatermarks();
        Controller c;
        synchronized (this) {
            if (closed) return;
            closed = true;
            c = controller;
            if (isrCheck != null) isrCheck.cancel(false);
            fetchers.values().forEach(ReplicaFetcher::shutdown);
            fetchers.clear();
        }
        if (c != null) {
            try {
                c.unsubscribe(brokerId);
            } catch (RuntimeException e) {
                LOG.debug("Unsubscribe of broker {} failed: {}", brokerId, e.toString());
            }
        }
        alterIsr.shutdownNow();
        timer.shutdownNow();
    }
}
