package dev.skiff.broker;

import dev.skiff.broker.producer.ProducerStateLoader;
import dev.skiff.broker.producer.ProducerStateSnapshot;
import dev.skiff.broker.txn.PartitionTransactions;
import dev.skiff.broker.txn.PartitionTransactionsLoader;
import dev.skiff.broker.txn.StableSlice;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.BatchSummary;
import dev.skiff.protocol.records.LegacyConverter;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordIterator;
import dev.skiff.protocol.records.TimestampType;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.FileRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition led by this broker, and the service of its data path in Kafka's terms: append records as
 * leader (producer state, transactions), fetch records (isolation level, down-conversion for old clients),
 * look up offsets (by time, earliest, latest), delete records. Appends are serialised per partition (never
 * across partitions); reads go straight to the log. Waiters (long-poll fetches) of this partition are woken after every append to it.
 * Failures are {@link ApiException}s with Kafka's error codes.
 *
 * <p>Producer state (and open transactions) are snapshotted to the log's {@code .snapshot} files when an
 * append rolls the log and at {@link #close}, so that the first use after a restart reads the newest snapshot
 * and only the batches after it.
 */
public final class Partition {
    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    private final TopicPartition id;
    /** The log; null until first use for a new partition made with an opener (see {@link #log()}). */
    private volatile Log log;
    /** Makes the log on first use; null once made, or for a partition opened with its log. */
    private Supplier<Log> opener; // guarded by openLock
    /** Set when the partition was deleted before its log was ever made: then it never is. */
    private boolean deletedUnopened; // guarded by openLock

    private final Object openLock = new Object();
    /** Long-poll fetches waiting on this partition: a set, so thousands come and go in constant time each. */
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();

    private ProducerStateTable producers; // built from the log on first use, guarded by this
    private long producersCheckedStart = -1;
    /** Whether an append since the state was last dropped has tried {@link #followFromHere}; guarded by this. */
    private boolean followChecked;

    private volatile PartitionTransactions transactions; // open transactions, built from the log on first use

    /** This broker's part in the partition's replication; null for a single broker (leader, HW = LEO). */
    private volatile ReplicaRole role;
    /** The high watermark when replicated (ignored for a single broker, where it is the log end). */
    private volatile long highWatermark;
    /** Told after each append as leader when replicated (the replica manager moves the high watermark). */
    private volatile Runnable afterLeaderAppend;
    /** acks=-1 produce answers waiting for the high watermark; guarded by itself. */
    private final List<OffsetWaiter> hwWaiters = new ArrayList<>();
    /**
     * As leader of a replicated partition: the lowest log start among its followers on live brokers, -1 while
     * one has not told it, none (MAX_VALUE) without followers; set by the replica manager.
     */
    private volatile long followersLogStart = Long.MAX_VALUE;
    /** DeleteRecords answers waiting for the low watermark; guarded by itself. */
    private final List<OffsetWaiter> lowWatermarkWaiters = new ArrayList<>();

    /**
     * This broker's role in a replicated partition: leader or follower, the leader epoch, the in-sync replicas
     * (as the controller last said), and min.insync.replicas in force.
     */
    public record ReplicaRole(boolean leader, int leaderEpoch, List<Integer> isr, int minInsyncReplicas) {
        public ReplicaRole {
            isr = List.copyOf(isr);
        }
    }

    private record OffsetWaiter(long offset, CompletableFuture<Errors> done) {}

    /**
     * Set on every partition of a broker that is one of a cluster: until it is told its role (leader or
     * follower) it leads nothing, so nothing of its own (a coordinator finishing what it replayed at start, a
     * marker, a timer) writes to its copy of a log whose leader may be elsewhere; such a write would part the
     * copies at the same epoch, where a follower cannot find the difference.
     */
    private volatile boolean awaitsRole;

    Partition(TopicPartition id, Log log) {
        this.id = id;
        this.log = log;
        log.onRoll(this::onRoll);
    }

    /**
     * A new partition whose log {@code opener} makes on first use (a topic's creation then writes only its
     * description; a partition nobody writes or reads holds no directory). A failure to make it fails that use,
     * and the next use tries again.
     */
    Partition(TopicPartition id, Supplier<Log> opener) {
        this.id = id;
        this.opener = opener;
    }

    /**
     * The log rolled to a segment at {@code base}. An append rolls it under this partition's lock, before the
     * rolling batches are taken into producer and transaction state, which so cover exactly the batches below
     * {@code base}: they are snapshotted there. A roll by retention (another thread, without this lock) takes
     * none: it would have to wait for this lock under the log's, the reverse of an append's order.
     */
    private void onRoll(long base) {
        if (!Thread.holdsLock(this)) return;
        writeSnapshot(base);
    }

    /** Writes the producer-state snapshot for {@code offset}; the state must cover exactly the log below it. */
    private void writeSnapshot(long offset) {
        try {
            ProducerStateTable table;
            Map<Long, Long> open;
            if (isLeader()) {
                table = producers();
                open = transactions().openTransactions();
            } else { // a follower keeps no state: build it for the snapshot only
                ProducerStateSnapshot.Loaded from = ProducerStateSnapshot.newest(log());
                table = ProducerStateLoader.load(log(), from);
                open = PartitionTransactionsLoader.load(log(), from).openTransactions();
            }
            log().writeProducerSnapshot(offset, ProducerStateSnapshot.encode(table, open));
        } catch (RuntimeException e) {
            LOG.warn("Cannot snapshot the producer state of {} at offset {}: {}", id, offset, e.toString());
        }
    }

    /**
     * Closes the log (a clean shutdown), first writing a producer-state snapshot at the log end when the state
     * was in use, so that the next start reads it instead of the log.
     */
    public synchronized void close() {
        Log l = log;
        if (l == null) return; // never made: nothing to close
        if (isLeader() && (producers != null || transactions != null)) writeSnapshot(l.logEndOffset());
        l.close();
    }

    /** Deletes the log and its files; a log never made is not made now, nor later. */
    public void deleteLog() {
        synchronized (openLock) {
            if (log == null) {
                deletedUnopened = true;
                opener = null;
                return;
            }
        }
        log.delete();
    }

    /** The log if it was made, else null: for housekeeping that has nothing to do on a log never used. */
    public Log logIfMade() {
        return log;
    }

    public TopicPartition id() {
        return id;
    }

    public String topic() {
        return id.topic();
    }

    public int index() {
        return id.partition();
    }

    /** The log, made now if this is its first use. */
    public Log log() {
        Log l = log;
        return l != null ? l : make();
    }

    private Log make() {
        synchronized (openLock) {
            if (log != null) return log;
            if (deletedUnopened) throw new LogStorageException("the log of " + id + " was deleted");
            Log made = opener.get();
            made.onRoll(this::onRoll);
            opener = null;
            log = made;
            return made;
        }
    }

    /**
     * The idempotent-producer state, rebuilt from the batch headers of the log on first use (so a restart
     * keeps recognising retries); producers whose batches retention removed are dropped. Callers that append
     * use it inside {@link #locked}.
     */
    public synchronized ProducerStateTable producers() {
        if (producers == null) producers = ProducerStateLoader.load(log());
        long start = log().logStartOffset();
        if (start != producersCheckedStart) {
            producersCheckedStart = start;
            producers.evict(start); // idle producers go by producer.id.expiration.ms, see expireProducers
        }
        return producers;
    }

    /**
     * Open transactions of this partition (for the last stable offset), rebuilt from the log on first use and
     * kept up to date by every append after that, which also indexes each abort in the log for
     * read_committed fetches.
     */
    public PartitionTransactions transactions() {
        PartitionTransactions t = transactions;
        if (t == null) {
            synchronized (this) {
                if (transactions == null) transactions = PartitionTransactionsLoader.load(log());
                t = transactions;
            }
        }
        return t;
    }

    /** The first offset of the earliest open transaction, else the high watermark. */
    public long lastStableOffset() {
        return Math.min(transactions().lastStableOffset(), highWatermark());
    }

    public long logStartOffset() {
        return log().logStartOffset();
    }

    /**
     * With a single replica everything appended is committed, so the high watermark is the log end; when
     * replicated it is what every in-sync replica has (Kafka's high watermark), set by the replica manager.
     */
    public long highWatermark() {
        return role == null ? log().logEndOffset() : Math.min(highWatermark, log().logEndOffset());
    }

    // ---- replication ------------------------------------------------------------------------------------

    /** The replication role, or null for a single broker. */
    public ReplicaRole role() {
        return role;
    }

    /** The leader epoch this broker knows (0 for a single broker, which has led since creation). */
    public int leaderEpoch() {
        ReplicaRole r = role;
        return r == null ? 0 : r.leaderEpoch();
    }

    /** True when this broker serves clients for the partition (always for a single broker). */
    public boolean isLeader() {
        ReplicaRole r = role;
        return r == null ? !awaitsRole : r.leader();
    }

    /** This broker is one of a cluster: the partition leads nothing until it is given a role. */
    void awaitRole() {
        awaitsRole = true;
    }

    /**
     * Makes this broker the leader at {@code role.leaderEpoch()}: producer and transaction state are rebuilt
     * from the log on next use, the high watermark starts where it was (never above the log end).
     */
    public void becomeLeader(ReplicaRole newRole, Runnable afterAppend) {
        synchronized (this) {
            if (role == null || !role.leader() || role.leaderEpoch() != newRole.leaderEpoch()) {
                producers = null;
                producersCheckedStart = -1;
                transactions = null;
                followChecked = false;
                followersLogStart = -1; // until the replica manager tells where the followers start
            }
            this.afterLeaderAppend = afterAppend;
            this.highWatermark = Math.max(Math.min(highWatermark, log().logEndOffset()), log().logStartOffset());
            this.role = newRole;
        }
        for (Runnable w : waiters) w.run();
    }

    /** Updates the ISR (or min.insync.replicas) of a partition this broker keeps leading at the same epoch. */
    public void updateRole(ReplicaRole newRole) {
        this.role = newRole;
    }

    /** Makes this broker a follower: clients are refused, acks=-1 answers waiting here fail. */
    public void becomeFollower(ReplicaRole newRole) {
        synchronized (this) {
            this.role = newRole;
            this.afterLeaderAppend = null;
            producers = null;
            producersCheckedStart = -1;
            transactions = null;
            followChecked = false;
        }
        failHighWatermarkWaiters(Errors.NOT_LEADER_OR_FOLLOWER);
        completeLowWatermarkWaiters();
        for (Runnable w : waiters) w.run();
    }

    /**
     * Refuses a request for this partition unless this broker leads it at {@code currentLeaderEpoch} (-1: any
     * epoch): NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH (newer). A single
     * broker accepts every request, as it always did.
     */
    public void checkLeader(int currentLeaderEpoch) {
        ReplicaRole r = role;
        if (r == null && awaitsRole)
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "This broker does not lead " + id + " yet");
        if (r == null) return;
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < r.leaderEpoch())
            throw new ApiException(
                    Errors.FENCED_LEADER_EPOCH,
                    "Leader epoch " + currentLeaderEpoch + " of " + id + " is older than " + r.leaderEpoch());
        if (currentLeaderEpoch > r.leaderEpoch())
            throw new ApiException(
                    Errors.UNKNOWN_LEADER_EPOCH,
                    "Leader epoch " + currentLeaderEpoch + " of " + id + " is newer than " + r.leaderEpoch());
        if (!r.leader()) throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "This broker does not lead " + id);
    }

    /**
     * Moves the high watermark (never past the log end): acks=-1 answers it covers complete, and fetches
     * waiting for data below it wake. A follower may also move it back after truncation.
     */
    public void setHighWatermark(long hw) {
        long bounded = Math.min(hw, log().logEndOffset());
        if (bounded == highWatermark) return;
        highWatermark = bounded;
        completeHighWatermarkWaiters();
        for (Runnable w : waiters) w.run();
    }

    /**
     * Completes when the high watermark reaches {@code offset}: with NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND
     * when the ISR is then smaller than min.insync.replicas, or NOT_LEADER_OR_FOLLOWER when the leadership
     * moves first. Time-outs are the caller's.
     */
    public CompletableFuture<Errors> awaitHighWatermark(long offset) {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        synchronized (hwWaiters) {
            hwWaiters.add(new OffsetWaiter(offset, done));
        }
        completeHighWatermarkWaiters();
        return done;
    }

    /** Forgets a waiter that timed out or whose client left. */
    public void cancelHighWatermarkWait(CompletableFuture<Errors> done) {
        synchronized (hwWaiters) {
            hwWaiters.removeIf(w -> w.done() == done);
        }
    }

    private void completeHighWatermarkWaiters() {
        ReplicaRole r = role;
        List<OffsetWaiter> ready = new ArrayList<>();
        long hw = highWatermark();
        synchronized (hwWaiters) {
            if (hwWaiters.isEmpty()) return;
            hwWaiters.removeIf(w -> {
                if (r != null && !r.leader()) return ready.add(w);
                return w.offset() <= hw && ready.add(w);
            });
        }
        for (OffsetWaiter w : ready) {
            Errors e = r != null && !r.leader()
                    ? Errors.NOT_LEADER_OR_FOLLOWER
                    : r != null && r.isr().size() < r.minInsyncReplicas()
                            ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
                            : Errors.NONE;
            w.done().complete(e);
        }
    }

    private void failHighWatermarkWaiters(Errors error) {
        List<OffsetWaiter> all;
        synchronized (hwWaiters) {
            all = new ArrayList<>(hwWaiters);
            hwWaiters.clear();
        }
        for (OffsetWaiter w : all) w.done().complete(error);
    }

    /**
     * The low watermark: the lowest log start among the replicas on live brokers, this one's included (Kafka's
     * lowWatermarkIfLeader); the log start for a single broker. DeleteRecords is done once it reaches the offset.
     */
    public long lowWatermark() {
        return role == null ? logStartOffset() : Math.min(logStartOffset(), followersLogStart);
    }

    /** The lowest log start among this leader's followers on live brokers (see {@link #followersLogStart}). */
    public void setFollowersLogStart(long start) {
        followersLogStart = start;
        completeLowWatermarkWaiters();
    }

    /**
     * Completes when the low watermark reaches {@code offset}: with NONE, or NOT_LEADER_OR_FOLLOWER when the
     * leadership moves first. Time-outs are the caller's.
     */
    public CompletableFuture<Errors> awaitLowWatermark(long offset) {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        synchronized (lowWatermarkWaiters) {
            lowWatermarkWaiters.add(new OffsetWaiter(offset, done));
        }
        completeLowWatermarkWaiters();
        return done;
    }

    /** Forgets a waiter that timed out or whose client left. */
    public void cancelLowWatermarkWait(CompletableFuture<Errors> done) {
        synchronized (lowWatermarkWaiters) {
            lowWatermarkWaiters.removeIf(w -> w.done() == done);
        }
    }

    private void completeLowWatermarkWaiters() {
        ReplicaRole r = role;
        boolean led = r == null || r.leader();
        long low = lowWatermark();
        List<OffsetWaiter> ready = new ArrayList<>();
        synchronized (lowWatermarkWaiters) {
            if (lowWatermarkWaiters.isEmpty()) return;
            lowWatermarkWaiters.removeIf(w -> (!led || w.offset() <= low) && ready.add(w));
        }
        for (OffsetWaiter w : ready) w.done().complete(led ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER);
    }

    /** Appends batches copied from the leader, offsets and epochs kept (see {@link Log#appendAsFollower}). */
    public Log.AppendInfo appendAsFollower(ByteBuffer batches) {
        Log.AppendInfo info;
        synchronized (this) {
            info = log().appendAsFollower(batches);
        }
        for (Runnable w : waiters) w.run();
        return info;
    }

    /** Cuts the log to {@code offset} (a follower dropping a divergent tail); the high watermark follows. */
    public synchronized void truncateTo(long offset) {
        log().truncateTo(offset);
        producers = null;
        producersCheckedStart = -1;
        transactions = null;
        followChecked = false;
        if (highWatermark > log().logEndOffset()) highWatermark = log().logEndOffset();
    }

    /** Empties the log, which then starts at {@code offset} (a follower far behind the leader's log start). */
    public synchronized void truncateFullyAndStartAt(long offset) {
        log().truncateFullyAndStartAt(offset);
        producers = null;
        producersCheckedStart = -1;
        transactions = null;
        followChecked = false;
        highWatermark = offset;
    }

    /** Whole batches from {@code offset} up to the log end, as a follower copies them (no isolation, no cut). */
    public RecordsData readAsReplica(long offset, int maxBytes) {
        try {
            if (offset == log().logEndOffset()) return BufferRecords.EMPTY;
            LogSlice slice = read(offset, maxBytes, true);
            return slice.size() == 0 ? BufferRecords.EMPTY : records(slice);
        } catch (Log.OffsetOutOfRangeException e) {
            throw new ApiException(Errors.OFFSET_OUT_OF_RANGE, e.getMessage());
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
    }

    /** Bytes a replica fetch from {@code offset} would get now (up to the log end). */
    public long bytesAvailableToReplica(long offset, int maxBytes) {
        if (offset < log().logStartOffset() || offset > log().logEndOffset()) return Long.MAX_VALUE;
        if (offset == log().logEndOffset()) return 0;
        try {
            return read(offset, maxBytes, true).size();
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Appends v2 batches as they are (the broker's own writers: transaction markers, coordinator records) and
     * wakes the waiters. Clients' records go through {@link #appendRecordsToLeader}.
     */
    public Log.AppendInfo append(ByteBuffer batches) {
        Log.AppendInfo info;
        ReplicaRole r = role;
        synchronized (this) {
            r = role;
            if (r == null ? awaitsRole : !r.leader())
                throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "This broker does not lead " + id);
            ByteBuffer appended = batches.duplicate();
            Log log = log();
            PartitionTransactions t = transactions;
            boolean loadedHere = false;
            if (!followChecked) {
                followChecked = true;
                loadedHere = followFromHere(log);
                t = transactions;
            }
            try {
                info = r == null ? log.append(batches) : log.appendAsLeader(batches, r.leaderEpoch());
            } catch (RuntimeException e) {
                if (loadedHere) { // whatever the failed append left, the next use reads it back
                    transactions = null;
                    producers = null;
                }
                throw e;
            }
            if (t == null) {
                // A roll inside this append snapshots the state, loading it from the log as it was before
                // these batches went in: it must see them too.
                t = transactions;
            }
            if (t != null && info.batches() > 0) {
                try {
                    t.onAppended(appended, info.firstOffset());
                } catch (LogStorageException e) {
                    // the batches are in; only an abort's index entry failed: rebuild on next use, which retries it
                    transactions = null;
                }
            }
        }
        if (r != null) {
            Runnable after = afterLeaderAppend;
            if (after != null) after.run();
            if (info.batches() > 0) ReplicatedWrites.appended(this, info.lastOffset() + 1);
        }
        for (Runnable w : waiters) w.run();
        return info;
    }

    /**
     * On the first append of a leadership (or of this broker's life), starts following the producers and
     * transactions from here when the log has nothing to read back for them: it is empty, or its newest
     * snapshot is at its end (a clean restart). Otherwise the first fetch (which asks for the last stable
     * offset), the next roll and the clean shutdown (which snapshot the producers) would each read back every
     * batch header appended before them, one positional read each: up to a whole segment, inside an append or
     * a stop. After a crash the state stays lazy: the batches after the last snapshot must be read back, and
     * that is not for a plain producer's first append to wait on.
     */
    private boolean followFromHere(Log log) {
        if (transactions != null && producers != null) return false;
        ProducerStateSnapshot.Loaded snapshot = ProducerStateSnapshot.newest(log);
        long end = log.logEndOffset();
        if (end != log.logStartOffset() && (snapshot == null || snapshot.offset() != end)) return false;
        if (transactions == null) transactions = PartitionTransactionsLoader.load(log, snapshot);
        if (producers == null) producers = ProducerStateLoader.load(log, snapshot);
        return true;
    }

    /**
     * Appends validated records as the leader and returns the offset of the first (for a retried idempotent
     * batch, the offset it got the first time, without appending again). For producers with an id, the
     * transaction check, the sequence check and the append happen under the append lock, so two retries racing
     * on two connections cannot both land. Fails with the producer-state errors (OUT_OF_ORDER_SEQUENCE_NUMBER,
     * INVALID_PRODUCER_EPOCH), the transaction's (INVALID_TXN_STATE) or KAFKA_STORAGE_ERROR.
     */
    public long appendRecordsToLeader(LogValidator.ValidatedRecords records, TransactionVerifier transactions) {
        BatchSummary first = records.first();
        try {
            if (first.producerId() < 0) return append(records.batches()).firstOffset();
            synchronized (this) {
                if (first.transactional()) { // transactions v1 add a partition before producing to it
                    Errors txnError = transactions.verify(first.producerId(), first.producerEpoch(), id);
                    if (txnError != Errors.NONE) {
                        throw new ApiException(
                                txnError,
                                txnError == Errors.NOT_ENOUGH_REPLICAS
                                        ? "The transaction coordinator of producer " + first.producerId()
                                                + " is not available (it is moving); retry"
                                        : "Producer " + first.producerId() + " epoch " + first.producerEpoch()
                                                + " has no ongoing transaction with " + id);
                    }
                }
                ProducerStateTable producers = producers();
                int lastSeq = first.baseSequence() < 0
                        ? -1
                        : ProducerStateTable.lastSequence(first.baseSequence(), first.lastOffsetDelta() + 1);
                ProducerStateTable.Verdict v =
                        producers.check(first.producerId(), first.producerEpoch(), first.baseSequence(), lastSeq);
                if (v instanceof ProducerStateTable.Duplicate d) return d.firstOffset();
                if (v instanceof ProducerStateTable.Reject r)
                    throw new ApiException(Errors.forCode(r.errorCode()), r.message());
                Log.AppendInfo info = append(records.batches());
                producers.update(
                        first.producerId(),
                        first.producerEpoch(),
                        first.baseSequence(),
                        lastSeq,
                        info.firstOffset(),
                        info.lastOffset(),
                        info.maxTimestamp());
                return info.firstOffset();
            }
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
    }

    /**
     * Forgets producers idle for {@code expirationMs} (Kafka's producer.id.expiration.ms: by the time of
     * their last batch) unless a transaction of theirs is open here; returns how many. A producer forgotten
     * may start again at any sequence, as one the partition never saw.
     */
    public synchronized int expireProducers(long nowMs, long expirationMs) {
        if (producers == null) return 0; // not loaded: loading applies the log start, nothing else is known
        PartitionTransactions open = transactions();
        return producers.expire(nowMs - expirationMs, producerId -> open.openTransactionStart(producerId) >= 0);
    }

    /** What a fetch of one partition returns: its records (maybe converted) and the offsets that frame them. */
    public record FetchDataInfo(
            RecordsData records,
            long highWatermark,
            long lastStableOffset,
            long logStartOffset,
            List<AbortedTxn> abortedTransactions) {}

    /**
     * Reads from {@code offset} whole batches up to {@code maxBytes} (the first one even if larger, with
     * {@code minOneBatch}). read_committed stops at the last stable offset and lists the aborted transactions
     * the data overlaps; {@code magic} below 2 down-converts for clients before Fetch v4. Fails with
     * OFFSET_OUT_OF_RANGE or KAFKA_STORAGE_ERROR.
     */
    public FetchDataInfo fetchRecords(
            long offset, int maxBytes, boolean minOneBatch, IsolationLevel isolation, byte magic) {
        long hw = highWatermark();
        long lso = Math.min(hw, lastStableOffset());
        long start = logStartOffset();
        try {
            if (isolation == IsolationLevel.READ_COMMITTED) {
                List<AbortedTxn> aborted = new ArrayList<>();
                return new FetchDataInfo(
                        readCommitted(offset, maxBytes, minOneBatch, lso, aborted), hw, lso, start, aborted);
            }
            return new FetchDataInfo(readUncommitted(offset, maxBytes, minOneBatch, magic), hw, lso, start, null);
        } catch (Log.OffsetOutOfRangeException e) {
            throw new ApiException(Errors.OFFSET_OUT_OF_RANGE, e.getMessage());
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
    }

    /** Whole batches below the last stable offset, with the aborted transactions they overlap. */
    private RecordsData readCommitted(
            long offset, int maxBytes, boolean minOne, long stable, List<AbortedTxn> aborted) {
        if (offset >= stable) {
            if (offset < logStartOffset() || offset > log().logEndOffset())
                throw new Log.OffsetOutOfRangeException("offset " + offset);
            return BufferRecords.EMPTY;
        }
        StableSlice cut = StableSlice.cut(read(offset, maxBytes, minOne), stable);
        LogSlice slice = cut.slice();
        if (slice.size() == 0) return BufferRecords.EMPTY;
        aborted.addAll(log().abortedTransactions(offset, cut.nextOffset()));
        return records(slice);
    }

    private RecordsData readUncommitted(long offset, int maxBytes, boolean minOne, byte magic) {
        if (offset == log().logEndOffset()) return BufferRecords.EMPTY;
        LogSlice slice;
        if (role != null) { // consumers see only what every in-sync replica has
            long hw = highWatermark();
            if (offset >= hw) {
                if (offset < logStartOffset()) throw new Log.OffsetOutOfRangeException("offset " + offset);
                return BufferRecords.EMPTY;
            }
            slice = StableSlice.cut(read(offset, maxBytes, minOne), hw).slice();
        } else slice = read(offset, maxBytes, minOne);
        if (slice.size() == 0) return BufferRecords.EMPTY;
        if (magic >= RecordBatch.MAGIC) return records(slice);
        ByteBuffer converted = LegacyConverter.downConvert(slice.readFully(), magic, offset, Math.max(maxBytes, 1));
        return BufferRecords.of(converted);
    }

    /** Served as it lies: from the segment file with zero copy, or the buffer of an in-memory log. */
    private static RecordsData records(LogSlice slice) {
        return slice.isFile()
                ? new FileRecords(slice.channel(), slice.position(), slice.size())
                : BufferRecords.of(slice.buffer());
    }

    /**
     * Bytes a fetch from {@code offset} would return now, without reading them; Long.MAX_VALUE when the fetch
     * must be answered at once (offset out of range, read failed).
     */
    public long bytesAvailable(long offset, int maxBytes, IsolationLevel isolation) {
        if (offset < log().logStartOffset() || offset > log().logEndOffset()) return Long.MAX_VALUE;
        if (offset == log().logEndOffset()) return 0;
        boolean committed = isolation == IsolationLevel.READ_COMMITTED;
        long stable = committed ? lastStableOffset() : role != null ? highWatermark() : Long.MAX_VALUE;
        if (offset >= stable) return 0;
        try {
            LogSlice slice = read(offset, maxBytes, true);
            return stable != Long.MAX_VALUE
                    ? StableSlice.cut(slice, stable).slice().size()
                    : slice.size();
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Whether a fetch from {@code offset} would return any byte now, or must be answered at once (see
     * {@link #bytesAvailable}). A single broker's read_uncommitted fetch answers from the log's bounds alone:
     * below the log end a read returns at least the batch holding the offset, so no batch header is read.
     */
    public boolean anyAvailable(long offset, int maxBytes, IsolationLevel isolation) {
        // out of range (answered at once with the error) or below the log end: yes; at the log end: nothing yet
        if (role == null && isolation == IsolationLevel.READ_UNCOMMITTED) return offset != log().logEndOffset();
        return bytesAvailable(offset, maxBytes, isolation) > 0;
    }

    /** ListOffsets' special timestamps (Kafka's ListOffsetsRequest constants). */
    public static final long LATEST_TIMESTAMP = -1,
            EARLIEST_TIMESTAMP = -2,
            MAX_TIMESTAMP = -3,
            EARLIEST_LOCAL_TIMESTAMP = -4,
            EARLIEST_TIERED_TIMESTAMP = -5;

    /**
     * The offset for a ListOffsets timestamp: latest (the last stable offset for read_committed), earliest
     * (local and tiered are the same here), the record with the largest timestamp, or the first record at or
     * after {@code timestamp}. Returns -1/-1 when no record qualifies; INVALID_REQUEST for other negatives.
     */
    public Log.TimestampOffset fetchOffsetForTimestamp(long timestamp, IsolationLevel isolation) {
        try {
            if (timestamp == LATEST_TIMESTAMP) {
                long end = isolation == IsolationLevel.READ_COMMITTED ? lastStableOffset() : highWatermark();
                return new Log.TimestampOffset(-1, end);
            }
            if (timestamp == EARLIEST_TIMESTAMP
                    || timestamp == EARLIEST_LOCAL_TIMESTAMP
                    || timestamp == EARLIEST_TIERED_TIMESTAMP) {
                return new Log.TimestampOffset(-1, log().logStartOffset());
            }
            Log.TimestampOffset found;
            if (timestamp == MAX_TIMESTAMP) found = inBatch(log().maxTimestamp(), Long.MIN_VALUE, true);
            else if (timestamp < 0)
                throw new ApiException(Errors.INVALID_REQUEST, "Unknown special timestamp " + timestamp);
            else found = inBatch(log().offsetForTimestamp(timestamp), timestamp, false);
            return found != null ? found : new Log.TimestampOffset(-1, -1);
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
    }

    /**
     * The log finds the batch; Kafka answers with the record. Looks inside the batch at {@code found} for the
     * first record at or after {@code timestamp} (or, with {@code max}, the first record with the batch's
     * largest timestamp). Records of a log-append-time batch all carry the batch's time.
     */
    private Log.TimestampOffset inBatch(Log.TimestampOffset found, long timestamp, boolean max) {
        if (found == null) return null;
        ByteBuffer bytes = log().read(found.offset(), 1, true).readFully();
        if (bytes.remaining() < RecordBatch.HEADER_SIZE) return found;
        RecordBatch batch = RecordBatch.wrap(bytes, bytes.position());
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) return found;
        long want = max ? batch.maxTimestamp() : timestamp;
        try (RecordIterator records = batch.records()) {
            while (records.hasNext()) {
                Record r = records.next();
                if (r.offset() >= log().logStartOffset() && r.timestamp() >= want) {
                    return new Log.TimestampOffset(r.timestamp(), r.offset());
                }
            }
        }
        return found;
    }

    /**
     * Kafka 0.8's answer (ListOffsets v0): candidate offsets are the segment base offsets (with their
     * last-modified times) and, when the active segment holds data, the log end offset (as of now); the result
     * lists, newest first, the candidates at or before the requested time, at most maxNumOffsets of them.
     */
    public List<Long> legacyOffsetsBefore(long timestamp, int maxNumOffsets, long nowMs) {
        List<Long> bases = new ArrayList<>(log().segmentBaseOffsets());
        List<Long> times = new ArrayList<>(log().segmentLastModified());
        if (!bases.isEmpty()) bases.set(0, Math.max(bases.get(0), log().logStartOffset()));
        long leo = log().logEndOffset();
        if (bases.isEmpty() || leo > bases.get(bases.size() - 1)) {
            bases.add(leo);
            times.add(nowMs);
        }
        int from;
        if (timestamp == LATEST_TIMESTAMP) from = bases.size() - 1;
        else if (timestamp == EARLIEST_TIMESTAMP) from = 0;
        else {
            from = -1;
            for (int i = bases.size() - 1; i >= 0; i--) {
                if (times.get(i) <= timestamp) {
                    from = i;
                    break;
                }
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = from; i >= 0 && out.size() < maxNumOffsets; i--) out.add(bases.get(i));
        return out;
    }

    /**
     * Moves the log start offset forward to {@code offset} (-1: the high watermark) and returns that offset,
     * which the low watermark must reach before DeleteRecords answers. Under the append lock, so the high
     * watermark checked is the one the deletion applies to. Fails with OFFSET_OUT_OF_RANGE above the high
     * watermark, NOT_LEADER_OR_FOLLOWER on a follower (which takes its log start from its leader), or
     * KAFKA_STORAGE_ERROR.
     */
    public synchronized long deleteRecordsOnLeader(long offset) {
        checkLeader(-1);
        long hw = highWatermark();
        long target = offset == -1 ? hw : offset;
        if (target < 0 || target > hw) {
            throw new ApiException(
                    Errors.OFFSET_OUT_OF_RANGE,
                    "Cannot delete records before " + target + ": the high watermark is " + hw);
        }
        try {
            log().deleteRecordsBefore(target);
        } catch (Log.OffsetOutOfRangeException e) {
            throw new ApiException(Errors.OFFSET_OUT_OF_RANGE, e.getMessage());
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
        return target;
    }

    /** Runs {@code action} holding the append lock, for checks that must see no append in between. */
    public synchronized <T> T locked(java.util.function.Supplier<T> action) {
        return action.get();
    }

    public LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
        return log().read(offset, maxBytes, minOneBatch);
    }

    /** Registers a waiter, run after every append to this partition until removed. */
    public void addWaiter(Runnable waiter) {
        waiters.add(waiter);
    }

    public void removeWaiter(Runnable waiter) {
        waiters.remove(waiter);
    }

    /** Fetches waiting on this partition now. */
    public int waiterCount() {
        return waiters.size();
    }
}
