package dev.skiff.broker.txn;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator (transaction protocol V1): producer ids and epochs per transactional id,
 * the partitions and group offsets of each open transaction, commit and abort with markers, timeouts.
 *
 * <p>Every transition is written to {@code __transaction_state} before it takes effect and before the client
 * hears of it, and takes effect by applying the record written, through the same {@link #apply} that loads
 * the topic at start. Operations on one transactional id are serialised on its entry; markers are written holding
 * that entry, then each partition's lock (never the other way round). Produce checks a transactional batch
 * against {@link #verifyProduce} without locks, reading the entry's current state: once a transaction moves
 * to PrepareCommit/PrepareAbort no batch of it is let in, and a batch let in before holds the partition lock,
 * so it lands before that partition's marker.
 */
public final class TransactionCoordinator {

    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);

    /** Kafka's transactional.id.expiration.ms default: an id idle this long is forgotten. */
    static final long DEFAULT_ID_EXPIRATION_MS = 7L * 24 * 3600 * 1000;
    /** Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms default. */
    static final long DEFAULT_TIMEOUT_CHECK_MS = 10_000;

    /** The producer id and epoch InitProducerId hands out. */
    public record InitResult(long producerId, short producerEpoch) {}

    private static final class Entry {
        volatile TransactionMetadata current;

        Entry(TransactionMetadata m) {
            current = m;
        }
    }

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<Long, Entry> byProducer = new ConcurrentHashMap<>();
    private final Object creation = new Object();
    private final TransactionLog txnLog;
    private volatile MarkerWriter markers;
    private volatile OffsetBackend offsets;
    /** Whether a transactional id's partition is loaded here: the timeout check leaves the others alone. */
    private volatile java.util.function.Predicate<String> active = id -> true;

    private final TopicManager topics;
    private final ProducerIds ids;
    private final LongSupplier clock;
    private final long maxTimeoutMs;
    private final long idExpirationMs;
    private final int offsetsPartitions;

    public TransactionCoordinator(
            TopicManager topics, OffsetBackend offsets, BrokerConfig config, ProducerIds ids, LongSupplier clock) {
        this.topics = topics;
        this.offsets = offsets;
        this.ids = ids;
        this.clock = clock;
        this.maxTimeoutMs = config.transactionTimeoutMaxMs;
        this.idExpirationMs = longSetting(config, "transactional.id.expiration.ms", DEFAULT_ID_EXPIRATION_MS);
        this.offsetsPartitions = config.offsetsTopicPartitions;
        this.txnLog = new TransactionLog(topics, config);
        this.markers = new TransactionMarkers(topics);
        load();
    }

    /** Checks timeouts (and finishes any commit or abort a failed write left half done) periodically. */
    public void schedule(ScheduledExecutorService scheduler, BrokerConfig config) {
        long every = Math.max(
                10,
                longSetting(
                        config,
                        "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                        DEFAULT_TIMEOUT_CHECK_MS));
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        checkTimeouts();
                    } catch (RuntimeException e) {
                        log.warn("Transaction timeout check failed: {}", e.toString());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- load and recovery

    private void load() {
        // a cluster member replays nothing now: it loads the partitions it is made leader of (loadPartition)
        if (topics.isClusterMember()) return;
        txnLog.replay(this::apply);
        int completed = 0;
        for (Entry e : byId.values()) {
            synchronized (e) {
                TransactionMetadata m = e.current;
                if (m.state().isPrepare()) {
                    finish(e, m); // the decision was written: carry it out
                    completed++;
                } else if (m.state() == TransactionState.PREPARE_EPOCH_FENCE) {
                    complete(e, m.withState(TransactionState.ONGOING, m.lastUpdateTimeMs()), false);
                    completed++;
                }
                // Ongoing transactions go on: their producer may come back, else the timeout aborts them.
            }
        }
        if (!byId.isEmpty())
            log.info("Loaded {} transactional id(s), completed {} interrupted commit/abort(s)", byId.size(), completed);
    }

    // ---------------------------------------------------------------- one partition at a time (a cluster)

    /** The partition of {@code __transaction_state} that holds a transactional id. */
    public int partitionOf(String transactionalId) {
        return txnLog.partitionOf(transactionalId);
    }

    /**
     * Loads one partition of {@code __transaction_state}: this broker became its leader, so the coordinator of
     * its transactional ids. Ongoing transactions go on under this coordinator; a commit or abort that was
     * decided but not finished is carried out, as at start.
     */
    public void loadPartition(int partition) {
        txnLog.replay(partition, this::apply);
        int loaded = 0;
        for (Entry e : byId.values()) {
            synchronized (e) {
                TransactionMetadata m = e.current;
                if (txnLog.partitionOf(m.transactionalId()) != partition) continue;
                loaded++;
                if (m.state().isPrepare()) finish(e, m);
                else if (m.state() == TransactionState.PREPARE_EPOCH_FENCE)
                    complete(e, m.withState(TransactionState.ONGOING, m.lastUpdateTimeMs()), false);
            }
        }
        log.info("Loaded {}-{}: {} transactional id(s)", TransactionLog.TOPIC, partition, loaded);
    }

    /** Forgets every transactional id of one partition: its leadership moved to another broker. */
    public void unloadPartition(int partition) {
        for (Entry e : byId.values()) {
            synchronized (e) {
                String id = e.current.transactionalId();
                if (txnLog.partitionOf(id) != partition) continue;
                byId.remove(id, e);
                byProducer.remove(e.current.producerId(), e);
            }
        }
    }

    /** Where markers go: local appends on a single broker, the partitions' leaders in a cluster. */
    public void useMarkerWriter(MarkerWriter writer) {
        this.markers = writer;
    }

    /** Where the offsets of a committed transaction go: in a cluster, the group's coordinator. */
    public void useOffsets(OffsetBackend backend) {
        this.offsets = backend;
    }

    /** Which transactional ids the timeout check may act on: those of partitions loaded here. */
    public void useActive(java.util.function.Predicate<String> isActive) {
        this.active = isActive;
    }

    // ---------------------------------------------------------------- InitProducerId

    public InitResult initProducerId(
            String transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch) {
        // an id the transaction log cannot hold is refused as Kafka refuses it when parsing: an invalid request
        if (transactionalId.isEmpty() || !InternalTopicLog.fits(transactionalId))
            throw new ApiException(Errors.INVALID_REQUEST, "the transactional id is empty or too long");
        if (timeoutMs <= 0 || timeoutMs > maxTimeoutMs)
            throw new ApiException(
                    Errors.INVALID_TRANSACTION_TIMEOUT,
                    "transaction timeout " + timeoutMs + " ms is not within 1.." + maxTimeoutMs);
        long now = clock.getAsLong();
        Entry e = byId.get(transactionalId);
        if (e == null) {
            synchronized (creation) {
                e = byId.get(transactionalId);
                if (e == null) {
                    TransactionMetadata m = TransactionMetadata.fresh(transactionalId, ids.next(), timeoutMs, now);
                    writeOrThrow(m);
                    return new InitResult(m.producerId(), m.producerEpoch());
                }
            }
        }
        synchronized (e) {
            TransactionMetadata m = e.current;
            if (expectedProducerId >= 0
                    && !(expectedProducerId == m.producerId()
                            && (expectedEpoch == m.producerEpoch() || expectedEpoch == m.lastProducerEpoch()))) {
                throw fail(Errors.PRODUCER_FENCED, transactionalId);
            }
            if (m.state().isPrepare()) {
                if (finish(e, m) != Errors.NONE) throw fail(Errors.CONCURRENT_TRANSACTIONS, transactionalId);
                m = e.current;
            }
            if (expectedProducerId >= 0
                    && expectedEpoch == m.lastProducerEpoch()
                    && expectedEpoch != m.producerEpoch()
                    && m.state().isIdle()) {
                return new InitResult(m.producerId(), m.producerEpoch()); // a retry of the last bump
            }
            if (m.state() == TransactionState.ONGOING) {
                // A new instance takes over: the old one's transaction is aborted under a bumped epoch,
                // whose markers fence the old instance in every partition it wrote to.
                Errors aborted = complete(e, m.fenced(now), false);
                if (aborted != Errors.NONE) throw fail(aborted, transactionalId);
                m = e.current;
                if (m.state().isPrepare())
                    throw fail(Errors.CONCURRENT_TRANSACTIONS, transactionalId); // markers pending
            }
            long producerId = m.producerId();
            short epoch = (short) (m.producerEpoch() + 1);
            short last = m.producerEpoch();
            if (m.producerEpoch() >= Short.MAX_VALUE - 1) { // epochs ran out: a new producer id
                producerId = ids.next();
                epoch = 0;
                last = -1;
            }
            TransactionMetadata next = m.withProducer(producerId, epoch, last, timeoutMs, now);
            writeOrThrow(next);
            return new InitResult(producerId, epoch);
        }
    }

    // ---------------------------------------------------------------- AddPartitionsToTxn, AddOffsetsToTxn

    public void addPartitions(String transactionalId, long producerId, short epoch, Set<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (!InternalTopicLog.fits(tp.topic())) { // no such topic can exist
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "the topic name is too long");
            }
        }
        withProducer(transactionalId, producerId, epoch, (e, m) -> {
            if (m.state() == TransactionState.ONGOING && m.partitions().containsAll(partitions)) return Errors.NONE;
            return begin(e, m.withPartitions(partitions, clock.getAsLong()));
        });
    }

    /** What a transaction API does once its producer is known to own the transactional id. */
    private interface TransactionStep {
        Errors apply(Entry e, TransactionMetadata current);
    }

    /**
     * Runs {@code step} holding the transactional id's lock, after the checks every transaction API shares: the
     * id must be known (INVALID_PRODUCER_ID_MAPPING) and the producer id and epoch current (fencing).
     */
    private void withProducer(String transactionalId, long producerId, short epoch, TransactionStep step) {
        Entry e = byId.get(transactionalId);
        if (e == null) throw fail(Errors.INVALID_PRODUCER_ID_MAPPING, transactionalId);
        synchronized (e) {
            TransactionMetadata m = e.current;
            Errors error = checkProducer(m, producerId, epoch);
            if (error == Errors.NONE) error = step.apply(e, m);
            if (error != Errors.NONE) throw fail(error, transactionalId);
        }
    }

    /** For AddPartitionsToTxn's verify_only: NONE for each partition in the ongoing transaction. */
    public Map<TopicPartition, Errors> verifyPartitions(
            String transactionalId, long producerId, short epoch, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        Entry e = byId.get(transactionalId);
        TransactionMetadata m = e == null ? null : e.current;
        Errors error = m == null ? Errors.INVALID_PRODUCER_ID_MAPPING : checkProducer(m, producerId, epoch);
        for (TopicPartition tp : partitions) {
            out.put(
                    tp,
                    error != Errors.NONE
                            ? error
                            : m.state() == TransactionState.ONGOING
                                            && m.partitions().contains(tp)
                                    ? Errors.NONE
                                    : Errors.INVALID_TXN_STATE);
        }
        return out;
    }

    public void addOffsets(String transactionalId, long producerId, short epoch, String group) {
        checkGroup(group);
        withProducer(transactionalId, producerId, epoch, (e, m) -> {
            if (m.state() == TransactionState.ONGOING && m.offsets().containsKey(group)) return Errors.NONE;
            long now = clock.getAsLong();
            TopicPartition groupPartition = new TopicPartition(OffsetStore.TOPIC, offsetsPartitionFor(group));
            return begin(e, m.withPartitions(Set.of(groupPartition), now).withOffsets(group, Map.of(), now));
        });
    }

    private Errors begin(Entry e, TransactionMetadata next) {
        TransactionState s = e.current.state();
        if (s.isPrepare()) return Errors.CONCURRENT_TRANSACTIONS;
        if (s != TransactionState.ONGOING && !s.isIdle()) return Errors.INVALID_TXN_STATE;
        return write(next);
    }

    // ---------------------------------------------------------------- TxnOffsetCommit

    /** Keeps a group's offsets with the transaction; they reach the group's store only if it commits. */
    public void commitOffsets(
            String transactionalId,
            long producerId,
            short epoch,
            String group,
            Map<TopicPartition, CommittedOffset> committed) {
        checkGroup(group);
        for (Map.Entry<TopicPartition, CommittedOffset> o : committed.entrySet()) {
            if (!InternalTopicLog.fits(o.getKey().topic()))
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "the topic name is too long");
            if (!InternalTopicLog.fits(o.getValue().metadata()))
                throw new ApiException(Errors.OFFSET_METADATA_TOO_LARGE, "the offset metadata is too large");
        }
        withProducer(transactionalId, producerId, epoch, (e, m) -> {
            if (m.state().isPrepare()) return Errors.CONCURRENT_TRANSACTIONS;
            if (m.state() != TransactionState.ONGOING || !m.offsets().containsKey(group))
                return Errors.INVALID_TXN_STATE;
            return write(m.withOffsets(group, committed, clock.getAsLong()));
        });
    }

    /** True when an open transaction holds offsets of this group and partition not yet committed. */
    public boolean hasPendingOffsets(String group, TopicPartition tp) {
        for (Entry e : byId.values()) {
            Map<TopicPartition, CommittedOffset> g = e.current.offsets().get(group);
            if (g != null && g.containsKey(tp)) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- EndTxn

    public void endTransaction(String transactionalId, long producerId, short epoch, boolean commit) {
        withProducer(transactionalId, producerId, epoch, (e, m) -> switch (m.state()) {
            case ONGOING -> complete(e, m, commit);
            case COMPLETE_COMMIT -> commit ? Errors.NONE : Errors.INVALID_TXN_STATE; // a retry
            case COMPLETE_ABORT -> commit ? Errors.INVALID_TXN_STATE : Errors.NONE;
            case PREPARE_COMMIT, PREPARE_ABORT -> Errors.CONCURRENT_TRANSACTIONS;
            default -> Errors.INVALID_TXN_STATE;
        });
    }

    /**
     * EndTxn v5+ (transactions V2, KIP-890): every end bumps the producer's epoch, and the markers carry the new
     * one, so a late batch of the ended transaction (the old epoch) can no longer go in anywhere: that closes the
     * hanging-transaction window. Returns the producer id and epoch of the next transaction. A retry of an end
     * already done (the old epoch, the same decision) answers what the first one answered; an abort with no
     * transaction open still bumps the epoch (a producer aborting after a timeout fences its own late batches).
     * When the epoch runs out the producer gets a new id.
     */
    public InitResult endTransactionV2(String transactionalId, long producerId, short epoch, boolean commit) {
        Entry e = byId.get(transactionalId);
        if (e == null) throw fail(Errors.INVALID_PRODUCER_ID_MAPPING, transactionalId);
        synchronized (e) {
            TransactionMetadata m = e.current;
            if (m.producerId() != producerId) throw fail(Errors.INVALID_PRODUCER_ID_MAPPING, transactionalId);
            boolean retry = epoch != m.producerEpoch() && epoch == m.lastProducerEpoch();
            Errors error;
            if (retry) {
                error = switch (m.state()) {
                    case COMPLETE_COMMIT -> commit ? Errors.NONE : Errors.INVALID_TXN_STATE;
                    case COMPLETE_ABORT -> commit ? Errors.INVALID_TXN_STATE : Errors.NONE;
                    case PREPARE_COMMIT, PREPARE_ABORT -> Errors.CONCURRENT_TRANSACTIONS;
                    default -> Errors.PRODUCER_FENCED;
                };
            } else if (epoch != m.producerEpoch()) {
                error = Errors.PRODUCER_FENCED;
            } else {
                error = switch (m.state()) {
                    case ONGOING -> endWithBump(e, m, commit);
                    case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT ->
                        commit ? Errors.INVALID_TXN_STATE : endWithBump(e, m, false);
                    case PREPARE_COMMIT, PREPARE_ABORT -> Errors.CONCURRENT_TRANSACTIONS;
                    default -> Errors.INVALID_TXN_STATE;
                };
            }
            if (error != Errors.NONE) throw fail(error, transactionalId);
            TransactionMetadata now = e.current;
            return new InitResult(now.producerId(), now.producerEpoch());
        }
    }

    private Errors endWithBump(Entry e, TransactionMetadata m, boolean commit) {
        long now = clock.getAsLong();
        if (m.producerEpoch() < Short.MAX_VALUE - 1) return complete(e, m.fenced(now), commit);
        // the epoch ran out: end under the last one, then hand out a new producer id
        Errors ended = complete(e, m, commit);
        if (ended != Errors.NONE) return ended;
        TransactionMetadata done = e.current;
        if (done.state().isPrepare()) return Errors.NONE; // markers pending: the id rotates on a retry
        return write(done.withProducer(ids.next(), (short) 0, (short) -1, done.timeoutMs(), now));
    }

    /**
     * Decides (writes PrepareCommit/PrepareAbort), then carries the decision out. Once the decision is on
     * disk the answer is NONE even if a marker write fails: the timeout check finishes it later.
     */
    private Errors complete(Entry e, TransactionMetadata m, boolean commit) {
        TransactionMetadata prepared = m.withState(
                commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, clock.getAsLong());
        Errors written = write(prepared);
        if (written != Errors.NONE) return written;
        finish(e, e.current);
        return Errors.NONE;
    }

    /** Markers to every partition, the offsets to the group store on commit, then Complete*. */
    private Errors finish(Entry e, TransactionMetadata prepared) {
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        try {
            markers.write(prepared.partitions(), prepared.producerId(), prepared.producerEpoch(), commit);
            if (commit) {
                prepared.offsets().forEach((group, o) -> {
                    if (!o.isEmpty()) offsets.commit(group, o);
                });
            }
        } catch (RuntimeException ex) {
            log.warn(
                    "Completing the transaction of {} failed, retried later: {}",
                    prepared.transactionalId(),
                    ex.toString());
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        TransactionMetadata done = prepared.completed(
                commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT, clock.getAsLong());
        return write(done);
    }

    // ---------------------------------------------------------------- timeouts and expiry

    /** Aborts transactions open past their timeout (fencing their producer), finishes stalled ones, expires ids. */
    public void checkTimeouts() {
        long now = clock.getAsLong();
        for (Entry e : byId.values()) {
            if (!active.test(e.current.transactionalId())) continue; // still loading
            synchronized (e) {
                TransactionMetadata m = e.current;
                if (m.state().isPrepare()) {
                    finish(e, m);
                } else if (m.hasTimedOut(now)) {
                    log.info(
                            "Aborting the transaction of {} (producer {}), open longer than {} ms",
                            m.transactionalId(),
                            m.producerId(),
                            m.timeoutMs());
                    complete(e, m.fenced(now), false);
                } else if (m.state().isIdle() && now - m.lastUpdateTimeMs() > idExpirationMs) {
                    write(m.transactionalId(), null);
                }
            }
        }
    }

    // ---------------------------------------------------------------- Produce

    /**
     * Whether a transactional batch of this producer may go into {@code tp}: its transaction must be ongoing
     * with the partition added (transaction protocol V1 adds partitions before producing to them).
     */
    public Errors verifyProduce(long producerId, short epoch, TopicPartition tp) {
        Entry e = byProducer.get(producerId);
        if (e == null) return Errors.INVALID_TXN_STATE;
        TransactionMetadata m = e.current;
        if (m.producerId() != producerId || epoch < m.producerEpoch()) return Errors.INVALID_PRODUCER_EPOCH;
        if (epoch > m.producerEpoch()
                || m.state() != TransactionState.ONGOING
                || !m.partitions().contains(tp)) return Errors.INVALID_TXN_STATE;
        return Errors.NONE;
    }

    /**
     * The transactional id whose state holds {@code producerId} here, or null when none does: in a cluster,
     * the data partition's leader asks each broker's coordinator which one verifies a transactional batch.
     */
    public String transactionalIdOf(long producerId) {
        Entry e = byProducer.get(producerId);
        return e == null ? null : e.current.transactionalId();
    }

    // ---------------------------------------------------------------- Describe, List

    /** The state of a transactional id, or null when unknown. */
    public TransactionMetadata describe(String transactionalId) {
        Entry e = byId.get(transactionalId);
        return e == null ? null : e.current;
    }

    public List<TransactionMetadata> all() {
        List<TransactionMetadata> out = new ArrayList<>(byId.size());
        for (Entry e : byId.values()) out.add(e.current);
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static void checkGroup(String group) {
        if (group == null || group.isEmpty() || !InternalTopicLog.fits(group))
            throw new ApiException(Errors.INVALID_GROUP_ID, "the group id is empty or too long");
    }

    /** A request-level failure of a transaction API, with why it failed. */
    private static ApiException fail(Errors error, String transactionalId) {
        String why = switch (error) {
            case INVALID_PRODUCER_ID_MAPPING -> "unknown transactional id or producer id";
            case PRODUCER_FENCED -> "the producer epoch is not the current one";
            case CONCURRENT_TRANSACTIONS -> "the previous transaction is still completing";
            case INVALID_TXN_STATE -> "not allowed in the transaction's current state";
            default -> "writing the transaction state failed";
        };
        return new ApiException(error, why + " (transactional id " + transactionalId + ")");
    }

    /** Writes the next state, or throws the error to answer when the write failed. */
    private void writeOrThrow(TransactionMetadata next) {
        Errors written = write(next);
        if (written != Errors.NONE) throw fail(written, next.transactionalId());
    }

    private static Errors checkProducer(TransactionMetadata m, long producerId, short epoch) {
        if (m.producerId() != producerId) return Errors.INVALID_PRODUCER_ID_MAPPING;
        if (epoch != m.producerEpoch()) return Errors.PRODUCER_FENCED;
        return Errors.NONE;
    }

    /** Writes the next state, then applies the record written; the error to answer, NONE when done. */
    private Errors write(TransactionMetadata next) {
        return write(next.transactionalId(), next);
    }

    /** {@code next} null: the id is forgotten (a tombstone). */
    private Errors write(String transactionalId, TransactionMetadata next) {
        try {
            byte[] key = TransactionRecords.key(transactionalId);
            byte[] value = next == null ? null : TransactionRecords.value(next);
            txnLog.append(transactionalId, key, value);
            apply(key, value);
            return Errors.NONE;
        } catch (ApiException e) {
            log.warn("Writing the state of transactional id {} failed: {}", transactionalId, e.getMessage());
            return InternalTopicLog.coordinatorError(e, Errors.UNKNOWN_SERVER_ERROR)
                    .error();
        }
    }

    /**
     * Applies one record of the transaction log, written now or found at start: the id's state becomes the
     * value (a new entry for a new id), or the id is forgotten on a tombstone. Callers hold the entry's lock
     * (or the creation lock for a new id); loading runs alone.
     */
    private void apply(byte[] key, byte[] value) {
        String id = TransactionRecords.readKey(key);
        if (id == null) return; // a record type this coordinator does not keep
        if (value == null) {
            Entry gone = byId.remove(id);
            if (gone != null) byProducer.remove(gone.current.producerId(), gone);
            return;
        }
        TransactionMetadata m = TransactionRecords.readValue(id, value);
        Entry e = byId.get(id);
        if (e == null) {
            e = new Entry(m);
            byProducer.put(m.producerId(), e);
            byId.put(id, e);
        } else {
            e.current = m;
            byProducer.put(m.producerId(), e);
        }
    }

    private int offsetsPartitionFor(String group) {
        var t = topics.get(OffsetStore.TOPIC);
        int n = t == null ? offsetsPartitions : t.partitions().size();
        return (group.hashCode() & 0x7fffffff) % Math.max(1, n);
    }

    private static long longSetting(BrokerConfig config, String key, long fallback) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
