package dev.skiff.broker.share;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.internal.records.ShareSnapshotValueData;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share partitions of this broker and the sessions that fetch them: what ShareFetch and ShareAcknowledge
 * call. A share partition is created on its first fetch, starting at the log's end ({@code
 * share.auto.offset.reset=latest}, Kafka's default) or its start ({@code earliest}, as the group config says),
 * or from the state __share_group_state kept for it. After every change that must survive (acknowledgements,
 * releases, new records in the window, expired locks) its snapshot is written before the answer goes out.
 */
public final class SharePartitionManager {

    private static final Logger log = LoggerFactory.getLogger(SharePartitionManager.class);

    private final ShareConfig config;
    private final TopicManager topics;
    private final Partitions data;
    private final ShareStateLog state;
    private final GroupConfigs groupConfigs;
    private final LongSupplier clock;
    private final ShareSessions sessions;
    private final Map<SharePartitionKey, SharePartition> partitions = new ConcurrentHashMap<>();

    public SharePartitionManager(
            ShareConfig config,
            TopicManager topics,
            Partitions data,
            ShareStateLog state,
            GroupConfigs groupConfigs,
            LongSupplier clock) {
        this.config = config;
        this.topics = topics;
        this.data = data;
        this.state = state;
        this.groupConfigs = groupConfigs;
        this.clock = clock;
        this.sessions = new ShareSessions(config.maxSessions());
    }

    public ShareConfig config() {
        return config;
    }

    ShareSessions sessions() {
        return sessions;
    }

    /** A share partition's log: UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER if none here. */
    public Partition log(Uuid topicId, int partition) {
        Topic t = topicId == null ? null : topics.get(topicId);
        if (t == null || t.internal()) throw new ApiException(Errors.UNKNOWN_TOPIC_ID, "Unknown topic id " + topicId);
        Partition p = t.partition(partition);
        if (p == null)
            throw new ApiException(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + t.name() + "-" + partition);
        Errors leader = data.leadership(t.name(), partition);
        if (leader != null && leader != Errors.NONE)
            throw new ApiException(leader, "This broker does not lead " + t.name() + "-" + partition);
        return p;
    }

    /** The share partition, created (and its start written) on first use. */
    SharePartition partition(SharePartitionKey key, Partition log) {
        SharePartition p = partitions.get(key);
        if (p != null) return p;
        synchronized (this) {
            p = partitions.get(key);
            if (p != null) return p;
            ShareSnapshotValueData saved = state.state(key);
            if (saved != null) p = SharePartition.restore(key, config, saved);
            else {
                long start = startOffset(key.groupId(), log);
                p = new SharePartition(key, config, start, clock.getAsLong());
                persist(p);
            }
            partitions.put(key, p);
            return p;
        }
    }

    /**
     * Where a share partition without state starts, by the group's share.auto.offset.reset: the log start
     * (earliest), the high watermark (latest), or the first record at or after now minus the duration
     * (by_duration; the high watermark when there is none).
     */
    private long startOffset(String groupId, Partition log) {
        String reset = groupConfigs.shareAutoOffsetReset(groupId);
        if (reset.equals("earliest")) return log.logStartOffset();
        java.time.Duration back = groupConfigs.shareAutoOffsetResetDuration(groupId);
        if (back != null) {
            long now = clock.getAsLong();
            long at = back.compareTo(java.time.Duration.ofMillis(now)) >= 0 ? 0 : now - back.toMillis();
            long found = log.fetchOffsetForTimestamp(at, dev.skiff.broker.IsolationLevel.READ_UNCOMMITTED)
                    .offset();
            return found < 0 ? log.highWatermark() : Math.min(found, log.highWatermark());
        }
        return log.highWatermark();
    }

    /**
     * Writes the partition's snapshot when something that must survive changed. Holding the partition from the
     * snapshot to the end of its write: two members' acknowledgements written at once could otherwise reach the
     * log in the other order, the older snapshot last (so a restart restored it and delivered accepted records
     * again), and a member whose change an earlier snapshot took could answer before that write was done.
     */
    void persist(SharePartition p) {
        synchronized (p) {
            if (!p.dirty()) return;
            try {
                state.write(p.key(), p.snapshot(clock.getAsLong()));
            } catch (RuntimeException e) {
                p.markDirty(); // not written: the next change writes it again
                throw e;
            }
        }
    }

    /** Acquires records of one share partition for a member; see {@link SharePartition#acquire}. */
    public SharePartition.Fetched acquire(String member, SharePartitionKey key, int maxRecords, int maxBytes) {
        Partition log = log(key.topicId(), key.partition());
        SharePartition p = partition(key, log);
        String group = key.groupId();
        SharePartition.Fetched f = p.acquire(
                member,
                log,
                maxRecords,
                maxBytes,
                clock.getAsLong(),
                groupConfigs.shareRecordLockDurationMs(group, config.recordLockDurationMs()),
                groupConfigs.shareReadCommitted(group));
        persist(p);
        return f;
    }

    /** Whether any of these share partitions has something to acquire now (a waiting fetch asks this). */
    public boolean anyAvailable(List<SharePartitionKey> keys) {
        long now = clock.getAsLong();
        for (SharePartitionKey k : keys) {
            try {
                Partition log = log(k.topicId(), k.partition());
                if (partition(k, log).hasAvailable(log, now, groupConfigs.shareReadCommitted(k.groupId()))) return true;
            } catch (ApiException e) {
                return true; // an error to answer
            }
        }
        return false;
    }

    /**
     * Checks the shape of a partition's acknowledgement batches as Kafka does (INVALID_REQUEST): first <= last,
     * batches in order without overlap, one type or one per offset, each type 0-3.
     */
    public static Errors checkShape(List<SharePartition.AckBatch> batches) {
        long previousLast = Long.MIN_VALUE;
        for (SharePartition.AckBatch b : batches) {
            if (b.firstOffset() < 0 || b.lastOffset() < b.firstOffset()) return Errors.INVALID_REQUEST;
            if (b.firstOffset() <= previousLast) return Errors.INVALID_REQUEST;
            previousLast = b.lastOffset();
            int n = b.types().length;
            if (n == 0 || (n != 1 && b.lastOffset() - b.firstOffset() != n - 1)) return Errors.INVALID_REQUEST;
            for (byte t : b.types())
                if (t < SharePartition.GAP || t > SharePartition.REJECT) return Errors.INVALID_REQUEST;
        }
        return Errors.NONE;
    }

    /** Applies a member's acknowledgements of one share partition and writes the result; the error, or NONE. */
    public Errors acknowledge(String member, SharePartitionKey key, List<SharePartition.AckBatch> batches) {
        Errors shape = checkShape(batches);
        if (shape != Errors.NONE) return shape;
        Partition log;
        try {
            log = log(key.topicId(), key.partition());
        } catch (ApiException e) {
            return e.error();
        }
        SharePartition p = partitions.get(key);
        if (p == null) return Errors.INVALID_RECORD_STATE; // nothing acquired here since the start: not found
        Errors e = p.acknowledge(member, batches, clock.getAsLong());
        try {
            persist(p);
        } catch (ApiException failed) {
            return failed.error();
        }
        return e;
    }

    /** Gives back every record the member holds in these share partitions. */
    void releaseAll(String member, Iterable<SharePartitionKey> keys) {
        for (SharePartitionKey k : keys) {
            SharePartition p = partitions.get(k);
            if (p == null) continue;
            p.releaseAll(member);
            try {
                persist(p);
            } catch (ApiException e) {
                log.warn("Cannot write the state of share partition {}: {}", k, e.getMessage());
            }
        }
    }

    /**
     * Moves a member's share session for a request of {@code epoch}: 0 opens it, another epoch continues it
     * (SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH), adding {@code added} and dropping {@code forgotten};
     * -1 only checks it is there ({@link #closeSession} ends it once its acknowledgements are done). Returns
     * the session's share partitions.
     */
    public List<SharePartitionKey> updateSession(
            String groupId,
            String memberId,
            int epoch,
            List<SharePartitionKey> added,
            List<SharePartitionKey> forgotten) {
        long now = clock.getAsLong();
        ShareSessions.Session s =
                epoch == 0 ? sessions.open(groupId, memberId, now) : sessions.next(groupId, memberId, epoch, now);
        synchronized (s) {
            if (epoch != -1) {
                s.partitions.addAll(added);
                forgotten.forEach(s.partitions::remove);
            }
            return List.copyOf(s.partitions);
        }
    }

    /** Checks a ShareAcknowledge's session and moves its epoch on (epoch 0 is refused: acknowledging needs one). */
    public void continueSession(String groupId, String memberId, int epoch) {
        if (epoch == 0)
            throw new ApiException(
                    Errors.INVALID_SHARE_SESSION_EPOCH, "A share acknowledge cannot open a share session");
        sessions.next(groupId, memberId, epoch, clock.getAsLong());
    }

    /** Ends a member's session (epoch -1): the records it still holds become available again. */
    public void closeSession(String groupId, String memberId) {
        ShareSessions.Session s = sessions.remove(groupId, memberId);
        if (s == null) return;
        List<SharePartitionKey> keys;
        synchronized (s) {
            keys = List.copyOf(s.partitions);
        }
        releaseAll(memberId, keys);
    }

    /** A member left its group or was removed: its session ends and its records go back. */
    public void memberGone(String groupId, String memberId) {
        ShareSessions.Session s = sessions.remove(groupId, memberId);
        List<SharePartitionKey> keys = new ArrayList<>();
        if (s != null)
            synchronized (s) {
                keys.addAll(s.partitions);
            }
        // records may also be held in partitions the session forgot
        for (SharePartitionKey k : partitions.keySet())
            if (k.groupId().equals(groupId) && !keys.contains(k)) keys.add(k);
        releaseAll(memberId, keys);
    }

    /** Periodic upkeep: expired locks are released (and written), sessions of departed members dropped. */
    public void expire() {
        long now = clock.getAsLong();
        for (SharePartition p : partitions.values()) {
            p.expireLocks(now);
            try {
                persist(p);
            } catch (ApiException e) {
                log.debug("Cannot write the state of share partition {}: {}", p.key(), e.getMessage());
            }
        }
    }

    /** Drops sessions idle for a session timeout whose member is gone from its group. */
    public void dropIdleSessions(java.util.function.BiPredicate<String, String> isMember) {
        for (ShareSessions.Session s : sessions.idle(clock.getAsLong(), config.sessionTimeoutMs(), isMember))
            memberGone(s.groupId, s.memberId);
    }

    /** The start offset of a share partition: live, else as last written; -1 when it has no state. */
    public long startOffset(SharePartitionKey key) {
        SharePartition p = partitions.get(key);
        if (p != null) return p.startOffset();
        ShareSnapshotValueData v = state.state(key);
        return v == null ? -1 : v.startOffset();
    }

    /** Every share partition of a group with a state. */
    public List<SharePartitionKey> keysOf(String groupId) {
        List<SharePartitionKey> out = new ArrayList<>();
        for (SharePartitionKey k : state.all().keySet()) if (k.groupId().equals(groupId)) out.add(k);
        return out;
    }

    /** Groups that have share-partition state (listed after a restart before their members come back). */
    public List<String> groupsWithState() {
        return state.all().keySet().stream()
                .map(SharePartitionKey::groupId)
                .distinct()
                .toList();
    }

    /** Sets a share partition's start offset (AlterShareGroupOffsets; the group has no members). */
    public void alterStartOffset(SharePartitionKey key, long offset) {
        Partition log = log(key.topicId(), key.partition());
        if (offset < log.logStartOffset() || offset > log.highWatermark())
            throw new ApiException(Errors.INVALID_REQUEST, "Offset " + offset + " is outside the log");
        SharePartition p = partition(key, log);
        p.resetTo(offset);
        persist(p);
    }

    /** Deletes a share partition's state (DeleteShareGroupOffsets, or the group deleted). */
    public void deleteState(SharePartitionKey key) {
        if (state.state(key) != null) state.write(key, null);
        partitions.remove(key);
    }
}
