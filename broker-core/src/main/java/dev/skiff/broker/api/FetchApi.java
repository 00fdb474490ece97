package dev.skiff.broker.api;

import dev.skiff.broker.IsolationLevel;
import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.fetch.DelayedFetch;
import dev.skiff.broker.fetch.FetchSessionCache;
import dev.skiff.broker.replica.ReplicaManager;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.log.AbortedTxn;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Fetch: each partition is read through {@link Partitions#read} (zero copy for batches v2, down-converted for
 * older clients, cut at the last stable offset for read_committed). With too little data for min_bytes the
 * request waits, up to max_wait_ms, for an append to any of its partitions.
 *
 * <p>Fetch sessions (KIP-227, v7+) are kept by {@link FetchSessionCache}: epoch 0 is a full fetch that opens
 * a session (its id answered, or 0 when the cache has no room), later epochs are incremental (only changed
 * partitions asked for, only partitions with news answered), epoch -1 fetches without a session (and closes
 * the one named). Errors as Kafka's: FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH,
 * FETCH_SESSION_TOPIC_ID_ERROR (a session of v13+ topic ids asked with names, or the other way round).
 * Followers' fetches stay sessionless.
 *
 * <p>Versions (Kafka's FetchRequest/FetchResponse schemas):
 * <ul>
 * <li>v0: replica id, max_wait_ms, min_bytes, per partition fetch offset and max bytes; records as message
 *     sets magic 0. v1: the response adds throttle_time_ms.
 * <li>v2: records as message sets magic 1 (timestamps).
 * <li>v3: adds max_bytes for the whole response; partitions are filled in request order.
 * <li>v4: adds isolation_level; records as batches v2; the response adds last_stable_offset and
 *     aborted_transactions.
 * <li>v5: the response adds log_start_offset. v6: same as v5.
 * <li>v7: fetch sessions (session_id, session_epoch, forgotten topics); the response adds error_code and
 *     session_id. v8: same as v7.
 * <li>v9: adds current_leader_epoch per partition (KIP-320). v10: same (zstd allowed).
 * <li>v11: adds rack_id; the response adds preferred_read_replica.
 * <li>v12: flexible versions; adds last_fetched_epoch; the response may carry diverging_epoch, current_leader
 *     and snapshot_id as tagged fields.
 * <li>v13: topic ids instead of names (UNKNOWN_TOPIC_ID). v14: same (OFFSET_MOVED_TO_TIERED_STORAGE).
 * <li>v15: replica_state replaces replica_id (KIP-903). v16: same schema; in a cluster a partition answered
 *     NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its leader and epoch, and node_endpoints their
 *     addresses (KIP-951's leader hints).
 * <li>v17: adds the replica's directory id (KIP-853).
 * <li>v18 (not served): high watermark of the replica (KIP-1166).
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on each topic (TOPIC_AUTHORIZATION_FAILED per partition, before looking
 * the topic up); a follower's fetch needs CLUSTER_ACTION on the cluster.
 *
 * <p>In a cluster, a fetch with a replica id (replica_id before v15, replica_state from v15) is a follower
 * copying the leader: {@link ReplicaManager} checks that it comes from the broker it claims to be
 * (CLUSTER_AUTHORIZATION_FAILED otherwise), records its progress (its log end, the ISR, the high watermark)
 * and it reads up to the log end; consumers read up to the high watermark, and current_leader_epoch (v9+)
 * is checked against this broker's epoch (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER).
 */
public final class FetchApi implements ApiHandler<FetchRequestData> {

    private final Partitions partitions;
    private final ScheduledExecutorService timer;
    private final ReplicaManager replicas;

    private final Authorizer authorizer;
    private final FetchSessionCache sessions;

    FetchApi(
            Partitions partitions,
            ScheduledExecutorService timer,
            ReplicaManager replicas,
            Authorizer authorizer,
            FetchSessionCache sessions) {
        this.authorizer = authorizer;
        this.sessions = sessions;
        this.partitions = partitions;
        this.timer = timer;
        this.replicas = replicas;
    }

    /** The fetch sessions of this broker's consumers. */
    public FetchSessionCache sessions() {
        return sessions;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 17;
    }

    /**
     * One partition to read, resolved: {@code topic} is the name to answer with (empty from v13, which
     * answers topic ids). {@code denied}: no READ on the topic. {@code error}: NOT_LEADER_OR_FOLLOWER when
     * another broker of the cluster leads the partition, else NONE.
     */
    private record Wanted(
            String topic,
            Uuid topicId,
            FetchRequestData.FetchPartition fp,
            Partitions.FetchPosition at,
            boolean denied,
            Errors error) {
        Partition p() {
            return at.partition();
        }
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FetchRequestData request) {
        short v = ctx.apiVersion();
        // a follower's fetch needs CLUSTER_ACTION (else every partition is refused), a consumer's READ per topic
        int replicaId = v >= 15 ? request.replicaState().replicaId() : request.replicaId();
        boolean follower = replicaId >= 0;
        // followers stay sessionless; before v7 there are no sessions (Kafka: id 0, epoch -1)
        FetchSessionCache.Plan plan = sessions.open(
                follower ? 6 : v,
                request.sessionId(),
                v >= 7 ? request.sessionEpoch() : FetchSessionCache.FINAL_EPOCH,
                false,
                requested(v, request),
                v >= 7 ? forgotten(v, request) : List.of());
        if (plan.kind() == FetchSessionCache.Kind.ERROR) {
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(plan.error().code())
                    .setSessionId(FetchSessionCache.NO_SESSION));
        }
        List<Wanted> wanted = new ArrayList<>();
        List<Partitions.FetchPosition> positions = new ArrayList<>();
        boolean anyError = false;
        boolean clusterDenied = follower && !authorizer.authorizeCluster(ctx, AclOperation.CLUSTER_ACTION);
        FetchSessionCache.Key lastKey = null;
        Topic t = null;
        String name = null;
        boolean denied = false;
        for (FetchSessionCache.Requested r : plan.partitions()) {
            FetchSessionCache.Key key = r.key();
            if (lastKey == null
                    || !Objects.equals(lastKey.topic(), key.topic())
                    || !Objects.equals(lastKey.topicId(), key.topicId())) {
                t = v >= 13 ? partitions.topic(key.topicId()) : partitions.topic(key.topic());
                name = v >= 13 ? (t == null ? null : t.name()) : key.topic();
                denied = clusterDenied
                        || (!follower
                                && name != null
                                && !authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, name));
            }
            lastKey = key;
            FetchRequestData.FetchPartition fp = r.params();
            Partition p = t == null || denied ? null : t.partition(fp.partition());
            Errors lead = p == null ? Errors.NONE : partitions.leadership(t.name(), fp.partition());
            if (lead != Errors.NONE) p = null;
            anyError |= p == null;
            Partitions.FetchPosition at = new Partitions.FetchPosition(p, fp.fetchOffset(), fp.partitionMaxBytes());
            positions.add(at);
            wanted.add(new Wanted(key.topic() == null ? "" : key.topic(), key.topicId(), fp, at, denied, lead));
        }
        int maxBytes = v >= 3 ? request.maxBytes() : Integer.MAX_VALUE;
        if (follower && !clusterDenied && replicas != null && replicas.inCluster())
            return handleReplica(ctx, request, replicaId, wanted, positions, maxBytes, anyError);
        // read_committed came with v4; older clients read uncommitted
        IsolationLevel isolation =
                v >= 4 ? IsolationLevel.of(request.isolationLevel()) : IsolationLevel.READ_UNCOMMITTED;
        // nothing to fetch (a consumer closing its session sends such a fetch at close, and waits for the answer):
        // answered at once, as Kafka does, rather than after max_wait_ms
        if (anyError
                || request.maxWaitMs() <= 0
                || positions.isEmpty()
                || partitions.enoughAvailable(positions, maxBytes, isolation, Math.max(1, request.minBytes()))) {
            return CompletableFuture.completedFuture(answer(v, plan, wanted, maxBytes, isolation));
        }
        List<Partition> waitOn =
                positions.stream().map(Partitions.FetchPosition::partition).toList();
        return DelayedFetch.await(
                        timer,
                        ctx.connection(),
                        waitOn,
                        request.maxWaitMs(),
                        () -> partitions.enoughAvailable(positions, maxBytes, isolation, request.minBytes()))
                .thenApply(ignored -> answer(v, plan, wanted, maxBytes, isolation));
    }

    /** The request's partitions in its order, keyed by topic id from v13, else by name. */
    private static List<FetchSessionCache.Requested> requested(short v, FetchRequestData request) {
        List<FetchSessionCache.Requested> out = new ArrayList<>();
        for (FetchRequestData.FetchTopic ft : request.topics()) {
            for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                out.add(new FetchSessionCache.Requested(key(v, ft.topic(), ft.topicId(), fp.partition()), fp));
            }
        }
        return out;
    }

    private static List<FetchSessionCache.Key> forgotten(short v, FetchRequestData request) {
        List<FetchSessionCache.Key> out = new ArrayList<>();
        for (FetchRequestData.ForgottenTopic ft : request.forgottenTopicsData()) {
            for (int partition : ft.partitions()) out.add(key(v, ft.topic(), ft.topicId(), partition));
        }
        return out;
    }

    private static FetchSessionCache.Key key(short v, String topic, Uuid topicId, int partition) {
        return v >= 13
                ? new FetchSessionCache.Key(null, topicId, partition)
                : new FetchSessionCache.Key(topic, Uuid.ZERO, partition);
    }

    /**
     * Reads the partitions and answers as the plan says; runs when the answer is sent (after a long poll),
     * so the session learns what the client is really told.
     */
    private FetchResponseData answer(
            short v, FetchSessionCache.Plan plan, List<Wanted> wanted, int maxBytes, IsolationLevel isolation) {
        List<FetchResponseData.PartitionData> data = read(v, wanted, maxBytes, isolation);
        switch (plan.kind()) {
            case FULL: {
                int id = sessions.completeFull(plan, answered(data));
                return assemble(v, wanted, data, null).setSessionId(id);
            }
            case INCREMENTAL: {
                boolean[] send = sessions.completeIncremental(plan, answered(data));
                int id = plan.session().id();
                if (send == null) {
                    return new FetchResponseData()
                            .setErrorCode(Errors.INVALID_FETCH_SESSION_EPOCH.code())
                            .setSessionId(id);
                }
                return assemble(v, wanted, data, send).setSessionId(id);
            }
            default:
                return assemble(v, wanted, data, null).setSessionId(FetchSessionCache.NO_SESSION);
        }
    }

    private static List<FetchSessionCache.Answered> answered(List<FetchResponseData.PartitionData> data) {
        List<FetchSessionCache.Answered> out = new ArrayList<>(data.size());
        for (FetchResponseData.PartitionData pd : data) {
            out.add(new FetchSessionCache.Answered(
                    pd.highWatermark(),
                    pd.logStartOffset(),
                    pd.records() != null && pd.records().sizeInBytes() > 0,
                    pd.errorCode() != Errors.NONE.code()));
        }
        return out;
    }

    /**
     * The response: the partitions {@code send} keeps (all when null), neighbours of one topic grouped. From v16
     * a partition answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its leader and epoch, and the
     * answer lists those leaders' endpoints (KIP-951).
     */
    private FetchResponseData assemble(
            short v, List<Wanted> wanted, List<FetchResponseData.PartitionData> data, boolean[] send) {
        FetchResponseData r = new FetchResponseData();
        LeaderHints hints = v >= 16 ? new LeaderHints(partitions, true) : null;
        FetchResponseData.FetchableTopicResponse current = null;
        for (int i = 0; i < wanted.size(); i++) {
            if (send != null && !send[i]) continue;
            Wanted w = wanted.get(i);
            if (current == null || !sameTopic(current, w)) {
                current = new FetchResponseData.FetchableTopicResponse()
                        .setTopic(w.topic())
                        .setTopicId(w.topicId());
                r.responses().add(current);
            }
            FetchResponseData.PartitionData pd = data.get(i);
            current.partitions().add(pd);
            if (hints != null && pd.errorCode() != 0) {
                LeaderHint h = hints.forAnswer(pd.errorCode(), w.topicId(), pd.partitionIndex());
                if (h != null) pd.currentLeader().setLeaderId(h.leaderId()).setLeaderEpoch(h.leaderEpoch());
            }
        }
        if (hints != null)
            for (LeaderHint h : hints.endpoints())
                r.nodeEndpoints()
                        .add(new FetchResponseData.NodeEndpoint()
                                .setNodeId(h.leaderId())
                                .setHost(h.host())
                                .setPort(h.port())
                                .setRack(h.rack()));
        return r;
    }

    /** One answer per wanted partition, in order. */
    private List<FetchResponseData.PartitionData> read(
            short v, List<Wanted> wanted, int maxBytes, IsolationLevel isolation) {
        List<FetchResponseData.PartitionData> out = new ArrayList<>(wanted.size());
        // clients before v4 read message sets: magic 1 from v2, magic 0 before
        byte magic = (byte) (v >= 4 ? 2 : v >= 2 ? 1 : 0);
        int budget = maxBytes;
        boolean first = true;
        for (Wanted w : wanted) {
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.fp.partition())
                    .setRecords(BufferRecords.EMPTY);
            out.add(pd);
            if (w.denied()) {
                pd.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1);
                continue;
            }
            if (w.p() == null) {
                Errors unknown = v >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                pd.setErrorCode((w.error() != Errors.NONE ? w.error() : unknown).code())
                        .setHighWatermark(-1);
                continue;
            }
            if (v >= 4) pd.setAbortedTransactions(new ArrayList<>());
            try {
                w.p().checkLeader(v >= 9 ? w.fp.currentLeaderEpoch() : -1);
            } catch (ApiException e) {
                pd.setErrorCode(e.error().code())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1);
                continue;
            }
            int limit = Math.min(budget, w.fp.partitionMaxBytes());
            if (limit <= 0 && !first) {
                pd.setHighWatermark(w.p().highWatermark())
                        .setLastStableOffset(w.p().lastStableOffset())
                        .setLogStartOffset(w.p().logStartOffset());
                continue;
            }
            // the whole first batch even beyond the limits (v3+ puts progress first; before v3 always)
            boolean minOneBatch = first || v < 3;
            try {
                var data =
                        partitions.read(w.p(), w.fp.fetchOffset(), Math.max(limit, 0), minOneBatch, isolation, magic);
                RecordsData records = data.records();
                pd.setHighWatermark(data.highWatermark())
                        .setLastStableOffset(data.lastStableOffset())
                        .setLogStartOffset(data.logStartOffset())
                        .setRecords(records);
                if (data.abortedTransactions() != null) {
                    for (AbortedTxn a : data.abortedTransactions()) {
                        pd.abortedTransactions()
                                .add(new FetchResponseData.AbortedTransaction()
                                        .setProducerId(a.producerId())
                                        .setFirstOffset(a.firstOffset()));
                    }
                }
                if (records.sizeInBytes() > 0) {
                    first = false;
                    budget -= records.sizeInBytes();
                }
            } catch (ApiException e) {
                // a partition that could not be read: Kafka answers its offsets as unknown (-1)
                pd.setErrorCode(e.error().code())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1);
            }
        }
        return out;
    }

    /**
     * A follower's fetch: its progress is recorded once, when the request arrives (a partition it may not
     * fetch gets its error), then it waits like a consumer's fetch but for data up to the log end.
     */
    private CompletableFuture<ApiMessage> handleReplica(
            RequestContext ctx,
            FetchRequestData request,
            int replicaId,
            List<Wanted> wanted,
            List<Partitions.FetchPosition> positions,
            int maxBytes,
            boolean anyError) {
        short v = ctx.apiVersion();
        replicas.authorizeReplica(replicaId, ctx.clientAddress());
        java.util.Map<Wanted, Errors> refused = new java.util.IdentityHashMap<>();
        for (Wanted w : wanted) {
            if (w.p() == null) continue;
            try {
                replicas.onFollowerFetch(
                        w.p(),
                        replicaId,
                        v >= 9 ? w.fp.currentLeaderEpoch() : -1,
                        w.fp.fetchOffset(),
                        v >= 5 ? w.fp.logStartOffset() : -1);
            } catch (ApiException e) {
                refused.put(w, e.error());
            }
        }
        if (anyError || !refused.isEmpty() || request.maxWaitMs() <= 0 || replicaBytes(positions, maxBytes) >= 1) {
            return CompletableFuture.completedFuture(respondToReplica(v, wanted, maxBytes, refused));
        }
        int minBytes = Math.max(1, request.minBytes());
        List<Partition> waitOn =
                positions.stream().map(Partitions.FetchPosition::partition).toList();
        return DelayedFetch.await(
                        timer,
                        ctx.connection(),
                        waitOn,
                        request.maxWaitMs(),
                        () -> replicaBytes(positions, maxBytes) >= minBytes)
                .thenApply(ignored -> respondToReplica(v, wanted, maxBytes, refused));
    }

    private static long replicaBytes(List<Partitions.FetchPosition> positions, int maxBytes) {
        long total = 0;
        for (Partitions.FetchPosition f : positions) {
            if (f.partition() == null) continue;
            long available = f.partition().bytesAvailableToReplica(f.fetchOffset(), f.partitionMaxBytes());
            if (available == Long.MAX_VALUE) return available;
            total += available;
            if (total >= maxBytes) break;
        }
        return total;
    }

    private FetchResponseData respondToReplica(
            short v, List<Wanted> wanted, int maxBytes, java.util.Map<Wanted, Errors> refused) {
        FetchResponseData r = new FetchResponseData().setSessionId(0);
        FetchResponseData.FetchableTopicResponse current = null;
        int budget = maxBytes;
        boolean first = true;
        for (Wanted w : wanted) {
            if (current == null || !sameTopic(current, w)) {
                current = new FetchResponseData.FetchableTopicResponse()
                        .setTopic(w.topic())
                        .setTopicId(w.topicId());
                r.responses().add(current);
            }
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.fp.partition())
                    .setRecords(BufferRecords.EMPTY)
                    .setHighWatermark(-1)
                    .setLastStableOffset(-1)
                    .setLogStartOffset(-1);
            current.partitions().add(pd);
            if (w.p() == null) {
                Errors unknown = v >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                pd.setErrorCode((w.error() != Errors.NONE ? w.error() : unknown).code());
                continue;
            }
            Errors error = refused.get(w);
            if (error != null) {
                pd.setErrorCode(error.code());
                continue;
            }
            int limit = Math.min(budget, w.fp.partitionMaxBytes());
            pd.setHighWatermark(w.p().highWatermark())
                    .setLastStableOffset(w.p().lastStableOffset())
                    .setLogStartOffset(w.p().logStartOffset());
            if (limit <= 0 && !first) continue;
            try {
                RecordsData records = w.p().readAsReplica(w.fp.fetchOffset(), Math.max(limit, 0));
                pd.setRecords(records);
                if (records.sizeInBytes() > 0) {
                    first = false;
                    budget -= records.sizeInBytes();
                }
            } catch (ApiException e) {
                pd.setErrorCode(e.error().code());
            }
        }
        return r;
    }

    private static boolean sameTopic(FetchResponseData.FetchableTopicResponse current, Wanted w) {
        return Objects.equals(current.topic(), w.topic()) && Objects.equals(current.topicId(), w.topicId());
    }
}
