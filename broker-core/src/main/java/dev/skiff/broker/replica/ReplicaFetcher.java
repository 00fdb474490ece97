package dev.skiff.broker.replica;

import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.ReplicationLinks;
import dev.skiff.log.LeaderEpochCache;
import dev.skiff.log.Log;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.FileRecords;
import dev.skiff.protocol.types.RecordsData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the partitions one broker follows from one leader (Kafka's ReplicaFetcherThread): a partition
 * that starts following first asks the leader where its own latest epoch ends (OffsetForLeaderEpoch) and
 * truncates its log there (KIP-101/279), then fetches from its log end with replica Fetch, appending what
 * comes as the leader wrote it and taking the leader's high watermark. Errors back off for
 * replica.fetch.backoff.ms; an offset below the leader's log start empties the log and starts there. While
 * {@link ReplicationLinks} says the local broker is cut, nothing is fetched.
 */
public final class ReplicaFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);

    private final int localId;
    /** Where the leader listens now; it changes when the leader registers again at another address. */
    private volatile BrokerEndpoint endpoint;
    /** The address the open channel went to (fetch thread only). */
    private BrokerEndpoint connectedTo;

    private final ReplicaChannel.Factory channels;
    private final Supplier<ReplicationLinks> links;
    private final ReplicaConfig config;
    private final Object lock = new Object();
    private final Map<TopicPartition, FetchState> partitions = new LinkedHashMap<>(); // guarded by lock
    private final Thread thread;
    private volatile boolean running = true;
    private volatile ReplicaChannel channel;
    private volatile long fetches;

    /** One followed partition: the leader epoch it follows and whether it must truncate before fetching. */
    static final class FetchState {
        final Partition partition;
        final int leaderEpoch;
        boolean truncating = true;
        long delayUntilMs;

        FetchState(Partition partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
        }
    }

    ReplicaFetcher(
            int localId,
            BrokerEndpoint endpoint,
            ReplicaChannel.Factory channels,
            Supplier<ReplicationLinks> links,
            ReplicaConfig config) {
        this.localId = localId;
        this.endpoint = endpoint;
        this.channels = channels;
        this.links = links;
        this.config = config;
        this.thread = new Thread(this::run, "skiff-replica-fetcher-" + localId + "-from-" + endpoint.id());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    BrokerEndpoint endpoint() {
        return endpoint;
    }

    /**
     * The leader registered again at another address (it restarted on a new port, say): fetch from there,
     * and find again where each followed log must end first, since a restarted leader's log may have changed
     * under the same epoch.
     */
    void moveTo(BrokerEndpoint moved) {
        if (moved.equals(endpoint)) return;
        endpoint = moved;
        ReplicaChannel c = channel;
        if (c != null) c.close(); // a fetch in flight to the old address fails and the loop reconnects
        synchronized (lock) {
            for (FetchState s : partitions.values()) {
                s.truncating = true;
                s.delayUntilMs = 0;
            }
            lock.notifyAll();
        }
    }

    /** Starts (or restarts, at a new epoch) following {@code p}: truncation first, then fetching. */
    void add(Partition p, int leaderEpoch) {
        synchronized (lock) {
            partitions.put(p.id(), new FetchState(p, leaderEpoch));
            lock.notifyAll();
        }
    }

    /** Stops following; returns once no append of this fetcher to the partition is in progress. */
    void remove(TopicPartition tp) {
        synchronized (lock) {
            partitions.remove(tp);
        }
    }

    boolean isEmpty() {
        synchronized (lock) {
            return partitions.isEmpty();
        }
    }

    /** Fetch requests answered so far (tests wait on progress with it). */
    public long fetches() {
        return fetches;
    }

    void shutdown() {
        running = false;
        thread.interrupt();
        ReplicaChannel c = channel;
        if (c != null) c.close();
    }

    private void run() {
        while (running) {
            try {
                if (links.get().isCut(localId)) {
                    closeChannel();
                    pause(Math.min(config.fetchBackoffMs(), 50));
                    continue;
                }
                List<FetchState> snapshot;
                synchronized (lock) {
                    while (running && partitions.isEmpty()) lock.wait(1000);
                    snapshot = new ArrayList<>(partitions.values());
                }
                if (!running) break;
                long now = System.currentTimeMillis();
                List<FetchState> truncating = new ArrayList<>(), fetching = new ArrayList<>();
                long nextDelay = Long.MAX_VALUE;
                for (FetchState s : snapshot) {
                    if (s.delayUntilMs > now) nextDelay = Math.min(nextDelay, s.delayUntilMs - now);
                    else if (s.truncating) truncating.add(s);
                    else fetching.add(s);
                }
                if (truncating.isEmpty() && fetching.isEmpty()) {
                    pause(Math.min(nextDelay, 100));
                    continue;
                }
                BrokerEndpoint target = endpoint;
                ReplicaChannel c = channel;
                if (c != null && !target.equals(connectedTo)) {
                    closeChannel();
                    c = null;
                }
                if (c == null) {
                    channel = c = channels.connect(localId, target);
                    connectedTo = target;
                }
                if (!truncating.isEmpty()) truncate(c, truncating);
                if (!fetching.isEmpty()) fetch(c, fetching);
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                if (!running) break;
                LOG.debug("Broker {} fetching from {} failed: {}", localId, endpoint.id(), e.toString());
                closeChannel();
                try {
                    pause(config.fetchBackoffMs());
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        closeChannel();
    }

    private void pause(long ms) throws InterruptedException {
        synchronized (lock) {
            if (ms > 0) lock.wait(ms);
        }
    }

    private void closeChannel() {
        ReplicaChannel c = channel;
        channel = null;
        if (c != null) c.close();
    }

    private boolean current(FetchState s) {
        return partitions.get(s.partition.id()) == s;
    }

    private void backOff(FetchState s) {
        s.delayUntilMs = System.currentTimeMillis() + config.fetchBackoffMs();
    }

    // ---- truncation (KIP-101/279) -----------------------------------------------------------------------

    private void truncate(ReplicaChannel c, List<FetchState> states) throws Exception {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(localId);
        Map<String, OffsetForLeaderEpochRequestData.OffsetForLeaderTopic> byTopic = new LinkedHashMap<>();
        List<FetchState> asked = new ArrayList<>();
        for (FetchState s : states) {
            Partition p = s.partition;
            int latest = p.log().leaderEpochCache().latestEpoch();
            if (latest == LeaderEpochCache.UNDEFINED_EPOCH) {
                // nothing says where this log came from: keep what was committed, as Kafka does
                synchronized (lock) {
                    if (!current(s)) continue;
                    if (p.log().logEndOffset() > p.highWatermark()) p.truncateTo(p.highWatermark());
                    s.truncating = false;
                }
                continue;
            }
            asked.add(s);
            byTopic.computeIfAbsent(p.topic(), t -> {
                        var ft = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(t);
                        request.topics().add(ft);
                        return ft;
                    })
                    .partitions()
                    .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(p.index())
                            .setCurrentLeaderEpoch(s.leaderEpoch)
                            .setLeaderEpoch(latest));
        }
        if (asked.isEmpty()) return;
        OffsetForLeaderEpochResponseData response = c.offsetForLeaderEpoch(
                        request, ReplicaChannel.OFFSET_FOR_LEADER_EPOCH_VERSION)
                .get(config.socketTimeoutMs(), TimeUnit.MILLISECONDS);
        synchronized (lock) {
            for (var tr : response.topics()) {
                for (var pr : tr.partitions()) {
                    FetchState s = find(asked, tr.topic(), pr.partition());
                    if (s == null || !current(s)) continue;
                    if (pr.errorCode() != Errors.NONE.code()) {
                        LOG.debug(
                                "OffsetForLeaderEpoch of {} from {}: {}",
                                s.partition.id(),
                                endpoint.id(),
                                Errors.forCode(pr.errorCode()));
                        backOff(s);
                        continue;
                    }
                    long target = truncationOffset(s, pr.leaderEpoch(), pr.endOffset());
                    LOG.debug(
                            "Broker {}: leader {} says epoch {} of {} ends at {}; truncating to {}",
                            localId,
                            endpoint.id(),
                            pr.leaderEpoch(),
                            s.partition.id(),
                            pr.endOffset(),
                            target);
                    Partition p = s.partition;
                    if (target < p.log().logEndOffset()) {
                        LOG.info(
                                "Broker {} truncates {} from {} to {} (leader {} epoch {} ends at {})",
                                localId,
                                p.id(),
                                p.log().logEndOffset(),
                                target,
                                endpoint.id(),
                                pr.leaderEpoch(),
                                pr.endOffset());
                        p.truncateTo(target);
                    }
                    s.truncating = false;
                }
            }
        }
    }

    /** Where the follower's log must end: no further than where the leader says the epoch ends. */
    private static long truncationOffset(FetchState s, int leaderEpoch, long endOffset) {
        Partition p = s.partition;
        long end = p.log().logEndOffset();
        if (leaderEpoch == LeaderEpochCache.UNDEFINED_EPOCH || endOffset == LeaderEpochCache.UNDEFINED_OFFSET)
            return Math.min(p.highWatermark(), end);
        int ours = p.log().leaderEpochCache().latestEpoch();
        if (leaderEpoch == ours) return Math.min(endOffset, end);
        // the leader knows an older epoch only: end where both logs agree that epoch ends
        Log.EpochEndOffset local = p.log().endOffsetForEpoch(leaderEpoch);
        long localEnd = local.endOffset() >= 0 ? local.endOffset() : endOffset;
        return Math.min(Math.min(endOffset, localEnd), end);
    }

    private static FetchState find(List<FetchState> states, String topic, int partition) {
        for (FetchState s : states) if (s.partition.topic().equals(topic) && s.partition.index() == partition) return s;
        return null;
    }

    // ---- fetching ---------------------------------------------------------------------------------------

    private void fetch(ReplicaChannel c, List<FetchState> states) throws Exception {
        short version = ReplicaChannel.FETCH_VERSION;
        FetchRequestData request = new FetchRequestData()
                .setMaxWaitMs(config.fetchWaitMaxMs())
                .setMinBytes(config.fetchMinBytes())
                .setMaxBytes(config.fetchResponseMaxBytes())
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1);
        if (version >= 15) request.replicaState().setReplicaId(localId).setReplicaEpoch(-1);
        else request.setReplicaId(localId);
        Map<String, FetchRequestData.FetchTopic> byTopic = new LinkedHashMap<>();
        Map<FetchState, Long> offsets = new java.util.IdentityHashMap<>();
        for (FetchState s : states) {
            Partition p = s.partition;
            long offset = p.log().logEndOffset();
            offsets.put(s, offset);
            byTopic.computeIfAbsent(p.topic(), t -> {
                        var ft = new FetchRequestData.FetchTopic().setTopic(t);
                        request.topics().add(ft);
                        return ft;
                    })
                    .partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(p.index())
                            .setCurrentLeaderEpoch(s.leaderEpoch)
                            .setFetchOffset(offset)
                            .setLastFetchedEpoch(p.log().leaderEpochCache().latestEpoch())
                            .setLogStartOffset(p.logStartOffset())
                            .setPartitionMaxBytes(config.fetchMaxBytes()));
        }
        FetchResponseData response = c.fetch(request, version)
                .get(config.socketTimeoutMs() + (long) config.fetchWaitMaxMs(), TimeUnit.MILLISECONDS);
        fetches++;
        if (links.get().isCut(localId)) return; // cut while the fetch was waiting: nothing gets through
        if (response.errorCode() != Errors.NONE.code()) {
            throw new IOException("fetch refused: " + Errors.forCode(response.errorCode()));
        }
        synchronized (lock) {
            for (var tr : response.responses()) {
                for (var pd : tr.partitions()) {
                    FetchState s = find(states, tr.topic(), pd.partitionIndex());
                    if (s == null || !current(s)) continue;
                    apply(s, offsets.get(s), pd);
                }
            }
        }
    }

    private void apply(FetchState s, long fetchOffset, FetchResponseData.PartitionData pd) throws IOException {
        Partition p = s.partition;
        Errors error = Errors.forCode(pd.errorCode());
        if (error == Errors.OFFSET_OUT_OF_RANGE) {
            LOG.debug("Fetch of {} at {} from {}: out of range", p.id(), fetchOffset, endpoint.id());
            if (pd.logStartOffset() >= 0 && fetchOffset < pd.logStartOffset()) {
                LOG.info("Broker {} empties {} to start at the leader's {}", localId, p.id(), pd.logStartOffset());
                p.truncateFullyAndStartAt(pd.logStartOffset());
            } else s.truncating = true;
            return;
        }
        if (error != Errors.NONE) {
            LOG.debug("Fetch of {} at {} from {}: {}", p.id(), fetchOffset, endpoint.id(), error);
            backOff(s);
            return;
        }
        if (p.log().logEndOffset() != fetchOffset) return; // changed meanwhile (truncated): fetch again
        ByteBuffer batches = bytes(pd.records());
        if (batches.remaining() > 0) {
            try {
                p.appendAsFollower(batches);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "Broker {} cannot append what {} sent for {}: {}",
                        localId,
                        endpoint.id(),
                        p.id(),
                        e.getMessage());
                s.truncating = true;
                return;
            }
        }
        if (pd.highWatermark() >= 0) p.setHighWatermark(pd.highWatermark());
        long leaderStart = pd.logStartOffset();
        if (leaderStart > p.logStartOffset() && leaderStart <= p.log().logEndOffset()) {
            try {
                p.log().deleteRecordsBefore(leaderStart);
            } catch (RuntimeException e) {
                LOG.debug("Cannot move the log start of {} to {}: {}", p.id(), leaderStart, e.toString());
            }
        }
    }

    /** The whole batches of what the leader sent, copied to the heap (a trailing partial batch dropped). */
    static ByteBuffer bytes(RecordsData records) throws IOException {
        ByteBuffer copy;
        if (records instanceof BufferRecords br) {
            copy = ByteBuffer.allocate(br.buf().readableBytes());
            br.buf().getBytes(br.buf().readerIndex(), copy);
            copy.flip();
        } else if (records instanceof FileRecords fr) {
            copy = ByteBuffer.allocate(fr.size());
            while (copy.hasRemaining()) {
                if (fr.channel().read(copy, fr.position() + copy.position()) < 0) break;
            }
            copy.flip();
        } else return ByteBuffer.allocate(0);
        int whole = RecordBatches.validBytes(copy);
        return copy.limit(copy.position() + whole);
    }
}
