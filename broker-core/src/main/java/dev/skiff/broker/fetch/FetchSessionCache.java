package dev.skiff.broker.fetch;

import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Incremental fetch sessions (KIP-227): the broker remembers what a consumer fetches, so that its next
 * requests name only the partitions whose fetch position changed and the answers carry only the partitions
 * with something new (records, a moved high watermark or log start, an error).
 *
 * <p>A fetch is first {@link #open opened} (which decides, from its session id and epoch, whether it is
 * sessionless, full, incremental or an error, and applies its changes to the session), then the caller reads
 * the partitions of the {@link Plan} and, when the answer is about to be sent, {@link #completeFull completes}
 * or {@link #completeIncremental completes} it: a full fetch creates its session then, from what the answer
 * says, and an incremental one learns which partitions to send. A long-poll fetch so updates the session's
 * view with what it really sends, not with what was there when it arrived.
 *
 * <p>Limits as Kafka's: {@code max.incremental.fetch.session.cache.slots} sessions. When the cache is full, a
 * new session takes the slot of one unused for {@code min.incremental.fetch.session.eviction.ms}, else of
 * the first evictable session that is worth less (ordered by privileged, then partition count, then id) --
 * a session becomes evictable once used that long after its creation; a follower's (privileged) session may
 * evict any consumer's. Beyond Kafka: the slots alone would let 1000 sessions of a million partitions each
 * fill the heap, so the whole cache also keeps under {@code skiff.fetch.session.cache.max.bytes} (estimated
 * heap of the cached partitions); a session that cannot fit is not created (the client goes on with full
 * fetches), and an incremental fetch that would grow its session past the cap closes it (answered in full,
 * with session id 0, which clients take as the session's end).
 *
 * <p>Thread-safe: every method holds the cache's lock; reads of the log happen outside it.
 */
public final class FetchSessionCache {

    public static final int NO_SESSION = 0;
    public static final int INITIAL_EPOCH = 0;
    public static final int FINAL_EPOCH = -1;

    /** Rough heap of one cached partition: map entry, key, state; a topic name in the key adds its length. */
    static final long PARTITION_BYTES = 160;
    /** Rough heap of a session without partitions. */
    static final long SESSION_BYTES = 256;

    private final int maxSlots;
    private final long evictionMs;
    private final long maxBytes;
    private final LongSupplier clock;
    private final Map<Integer, Session> sessions = new HashMap<>();
    private long cachedBytes;
    private long cachedPartitions;
    private long evictions;

    public FetchSessionCache(int maxSlots, long evictionMs, long maxBytes, LongSupplier clock) {
        this.maxSlots = maxSlots;
        this.evictionMs = evictionMs;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public static FetchSessionCache of(BrokerConfig config) {
        return new FetchSessionCache(
                config.fetchSessionCacheSlots,
                config.fetchSessionEvictionMs,
                config.fetchSessionCacheMaxBytes,
                System::currentTimeMillis);
    }

    /** A partition of a session: by topic id in sessions of Fetch v13+ (topic null), else by name (id ZERO). */
    public record Key(String topic, Uuid topicId, int partition) {
        long heapBytes() {
            return PARTITION_BYTES + (topic == null ? 0 : 2L * topic.length());
        }
    }

    /** A partition to read, with the fetch position and limits the client gave for it. */
    public record Requested(Key key, FetchRequestData.FetchPartition params) {}

    /**
     * What the answer says of one partition of the plan, in the plan's order. {@code news}: records, a
     * preferred read replica or a diverging epoch, always sent; {@code error}: sent, and again each time.
     */
    public record Answered(long highWatermark, long logStartOffset, boolean news, boolean error) {}

    public enum Kind {
        /** No session: read and answer every requested partition, with session id 0. */
        SESSIONLESS,
        /** Read and answer every requested partition; {@link #completeFull} may create a session. */
        FULL,
        /** Read every partition of the session; {@link #completeIncremental} says which to answer. */
        INCREMENTAL,
        /** Answer only the error, with session id 0. */
        ERROR
    }

    /** What to do with one fetch; {@code partitions} in the order to read and answer them. */
    public record Plan(
            Kind kind,
            Errors error,
            List<Requested> partitions,
            boolean privileged,
            boolean usesTopicIds,
            Session session,
            int epochAfter) {

        static Plan error(Errors error) {
            return new Plan(Kind.ERROR, error, List.of(), false, false, null, 0);
        }

        static Plan sessionless(List<Requested> partitions) {
            return new Plan(Kind.SESSIONLESS, Errors.NONE, partitions, false, false, null, 0);
        }
    }

    /** Kafka's next session epoch: wraps from Integer.MAX_VALUE to 1 (0 is the full fetch that starts one). */
    public static int nextEpoch(int epoch) {
        if (epoch < 0) return FINAL_EPOCH;
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }

    /**
     * Decides what a fetch is (Kafka's FetchManager.newContext) and applies an incremental fetch's changes
     * (added or changed partitions, forgotten ones) to its session.
     *
     * @param version the Fetch version (sessions from v7; topic ids from v13)
     * @param privileged a follower's fetch (its session is harder to evict)
     * @param requested the partitions the request names, in its order (a repeated partition keeps its first
     *     place and its last parameters, as in Kafka's map)
     * @param forgotten the request's forgotten partitions (ignored by full fetches)
     */
    public synchronized Plan open(
            short version,
            int sessionId,
            int epoch,
            boolean privileged,
            List<Requested> requested,
            List<Key> forgotten) {
        List<Requested> wanted = distinct(requested);
        if (version < 7) return Plan.sessionless(wanted);
        boolean usesTopicIds = version >= 13;
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            // a full fetch ends the session it names, whether or not it starts another
            if (sessionId != NO_SESSION) remove(sessions.get(sessionId));
            if (epoch == FINAL_EPOCH) return Plan.sessionless(wanted);
            return new Plan(Kind.FULL, Errors.NONE, wanted, privileged, usesTopicIds, null, 0);
        }
        Session s = sessions.get(sessionId);
        if (s == null) return Plan.error(Errors.FETCH_SESSION_ID_NOT_FOUND);
        if (s.epoch != epoch) return Plan.error(Errors.INVALID_FETCH_SESSION_EPOCH);
        if (s.usesTopicIds != usesTopicIds) return Plan.error(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        update(s, wanted, forgotten);
        if (s.partitions.isEmpty()) {
            remove(s);
            return Plan.sessionless(wanted);
        }
        if (cachedBytes > maxBytes) {
            // grown past the cache's cap: closed, and this fetch answered in full without a session
            List<Requested> all = s.snapshot();
            remove(s);
            return Plan.sessionless(all);
        }
        touch(s, clock.getAsLong());
        s.epoch = nextEpoch(epoch);
        return new Plan(Kind.INCREMENTAL, Errors.NONE, s.snapshot(), s.privileged, usesTopicIds, s, s.epoch);
    }

    /**
     * A full fetch is being answered: creates its session from what the answer says when there is room,
     * and returns the id to answer with (0: no session).
     */
    public synchronized int completeFull(Plan plan, List<Answered> answered) {
        if (plan.kind() != Kind.FULL) throw new IllegalArgumentException("not a full fetch: " + plan.kind());
        long now = clock.getAsLong();
        long bytes = SESSION_BYTES;
        for (Requested r : plan.partitions()) bytes += r.key().heapBytes();
        int size = plan.partitions().size();
        if (!makeRoom(plan.privileged(), size, bytes, now)) return NO_SESSION;
        Session s = new Session(newSessionId(), plan.privileged(), plan.usesTopicIds(), now);
        for (int i = 0; i < size; i++) {
            Requested r = plan.partitions().get(i);
            Cached c = new Cached(r.key());
            c.updateParams(r.params());
            Answered a = answered.get(i);
            c.highWatermark = a.highWatermark();
            c.logStartOffset = a.logStartOffset();
            s.partitions.put(r.key(), c);
        }
        s.bytes = bytes;
        s.epoch = nextEpoch(INITIAL_EPOCH);
        sessions.put(s.id, s);
        cachedBytes += bytes;
        cachedPartitions += size;
        touch(s, now);
        return s.id;
    }

    /**
     * An incremental fetch is being answered: for each partition of the plan, whether the answer carries it
     * (new records, an error, or a high watermark or log start the client has not been told yet), updating
     * what the session remembers as told and moving the partitions sent to the end, so the next fetch reads
     * the others first. Null when another fetch of the session came in meanwhile: the answer is then
     * INVALID_FETCH_SESSION_EPOCH.
     */
    public synchronized boolean[] completeIncremental(Plan plan, List<Answered> answered) {
        if (plan.kind() != Kind.INCREMENTAL)
            throw new IllegalArgumentException("not an incremental fetch: " + plan.kind());
        Session s = plan.session();
        if (s.epoch != plan.epochAfter()) return null;
        boolean[] send = new boolean[answered.size()];
        for (int i = 0; i < send.length; i++) {
            Key key = plan.partitions().get(i).key();
            Cached c = s.partitions.get(key);
            if (c == null) continue;
            Answered a = answered.get(i);
            boolean must = a.news() || a.error();
            if (c.highWatermark != a.highWatermark()) must = true;
            if (c.logStartOffset != a.logStartOffset()) must = true;
            c.highWatermark = a.highWatermark();
            c.logStartOffset = a.logStartOffset();
            // an error is sent again until it goes away, and what follows it is sent in full
            if (a.error()) c.highWatermark = -1;
            if (must) {
                s.partitions.remove(key);
                s.partitions.put(key, c);
            }
            send[i] = must;
        }
        return send;
    }

    /** Sessions cached now. */
    public synchronized int size() {
        return sessions.size();
    }

    /** Partitions in all cached sessions. */
    public synchronized long partitions() {
        return cachedPartitions;
    }

    /** Estimated heap of all cached sessions, kept under {@code skiff.fetch.session.cache.max.bytes}. */
    public synchronized long estimatedBytes() {
        return cachedBytes;
    }

    /** Sessions evicted to make room for others since start. */
    public synchronized long evictions() {
        return evictions;
    }

    /** The epoch the next incremental fetch of a session must carry, or -1 when it is not cached. */
    public synchronized int epochOf(int sessionId) {
        Session s = sessions.get(sessionId);
        return s == null ? -1 : s.epoch;
    }

    private void update(Session s, List<Requested> wanted, List<Key> forgotten) {
        for (Requested r : wanted) {
            Cached c = s.partitions.get(r.key());
            if (c == null) {
                c = new Cached(r.key());
                s.partitions.put(r.key(), c);
                grow(s, r.key().heapBytes(), 1);
            }
            c.updateParams(r.params());
        }
        for (Key k : forgotten) {
            if (s.partitions.remove(k) != null) grow(s, -k.heapBytes(), -1);
        }
    }

    private void grow(Session s, long bytes, int partitions) {
        s.bytes += bytes;
        cachedBytes += bytes;
        cachedPartitions += partitions;
    }

    private void remove(Session s) {
        if (s == null || sessions.remove(s.id) == null) return;
        cachedBytes -= s.bytes;
        cachedPartitions -= s.partitions.size();
    }

    private static void touch(Session s, long now) {
        s.lastUsedMs = now;
        s.sizeWhenTouched = s.partitions.size();
    }

    /** Frees a slot (and bytes) for a new session if Kafka's rules allow; false when they do not. */
    private boolean makeRoom(boolean privileged, int size, long bytes, long now) {
        if (maxSlots <= 0 || bytes > maxBytes) return false;
        while (sessions.size() >= maxSlots || cachedBytes + bytes > maxBytes) {
            if (!evictOne(privileged, size, now)) return false;
        }
        return true;
    }

    private boolean evictOne(boolean privileged, int size, long now) {
        Session stalest = null;
        for (Session s : sessions.values()) {
            if (stalest == null || LAST_USED.compare(s, stalest) < 0) stalest = s;
        }
        if (stalest == null) return false;
        if (now - stalest.lastUsedMs > evictionMs) {
            remove(stalest);
            evictions++;
            return true;
        }
        Session cheapest = null;
        for (Session s : sessions.values()) {
            if (!evictable(s, privileged)) continue;
            if (cheapest == null || WORTH.compare(s, cheapest) < 0) cheapest = s;
        }
        if (cheapest == null) return false;
        // the newcomer wins a tie of privilege and size (Kafka's key has id 0 for it)
        int vsNew = Boolean.compare(privileged, cheapest.privileged);
        if (vsNew == 0) vsNew = Integer.compare(size, cheapest.sizeWhenTouched);
        if (vsNew < 0) return false;
        remove(cheapest);
        evictions++;
        return true;
    }

    /** Kafka's two evictable sets: used long enough after creation, or (for a follower) any consumer's session. */
    private boolean evictable(Session s, boolean forPrivileged) {
        boolean old = s.lastUsedMs - s.creationMs > evictionMs;
        return forPrivileged ? old || !s.privileged : old;
    }

    private static final Comparator<Session> LAST_USED =
            Comparator.<Session>comparingLong(s -> s.lastUsedMs).thenComparingInt(s -> s.id);
    private static final Comparator<Session> WORTH = Comparator.<Session, Boolean>comparing(s -> s.privileged)
            .thenComparingInt(s -> s.sizeWhenTouched)
            .thenComparingInt(s -> s.id);

    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }

    private static List<Requested> distinct(List<Requested> requested) {
        if (requested.size() < 2) return requested;
        LinkedHashMap<Key, Requested> byKey = new LinkedHashMap<>();
        for (Requested r : requested) byKey.put(r.key(), r);
        return byKey.size() == requested.size() ? requested : new ArrayList<>(byKey.values());
    }

    /** One client's session: its partitions in the order the next fetch reads them. */
    public static final class Session {
        final int id;
        final boolean privileged;
        final boolean usesTopicIds;
        final long creationMs;
        final LinkedHashMap<Key, Cached> partitions = new LinkedHashMap<>();
        long lastUsedMs;
        int sizeWhenTouched;
        int epoch;
        long bytes;

        Session(int id, boolean privileged, boolean usesTopicIds, long creationMs) {
            this.id = id;
            this.privileged = privileged;
            this.usesTopicIds = usesTopicIds;
            this.creationMs = creationMs;
            this.lastUsedMs = creationMs;
        }

        public int id() {
            return id;
        }

        /** The partitions with their current fetch parameters, copied: later fetches may change them. */
        List<Requested> snapshot() {
            List<Requested> out = new ArrayList<>(partitions.size());
            for (Cached c : partitions.values()) out.add(new Requested(c.key, c.params()));
            return out;
        }
    }

    /** A partition of a session: what the client last asked for it and what it was last told. */
    static final class Cached {
        final Key key;
        long fetchOffset;
        int maxBytes;
        int currentLeaderEpoch;
        int lastFetchedEpoch;
        long clientLogStartOffset;
        long highWatermark = -1;
        long logStartOffset = -1;

        Cached(Key key) {
            this.key = key;
        }

        void updateParams(FetchRequestData.FetchPartition p) {
            fetchOffset = p.fetchOffset();
            maxBytes = p.partitionMaxBytes();
            currentLeaderEpoch = p.currentLeaderEpoch();
            lastFetchedEpoch = p.lastFetchedEpoch();
            clientLogStartOffset = p.logStartOffset();
        }

        FetchRequestData.FetchPartition params() {
            return new FetchRequestData.FetchPartition()
                    .setPartition(key.partition())
                    .setFetchOffset(fetchOffset)
                    .setPartitionMaxBytes(maxBytes)
                    .setCurrentLeaderEpoch(currentLeaderEpoch)
                    .setLastFetchedEpoch(lastFetchedEpoch)
                    .setLogStartOffset(clientLogStartOffset);
        }
    }
}
