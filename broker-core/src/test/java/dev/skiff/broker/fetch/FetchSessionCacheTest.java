package dev.skiff.broker.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.fetch.FetchSessionCache.Answered;
import dev.skiff.broker.fetch.FetchSessionCache.Key;
import dev.skiff.broker.fetch.FetchSessionCache.Kind;
import dev.skiff.broker.fetch.FetchSessionCache.Plan;
import dev.skiff.broker.fetch.FetchSessionCache.Requested;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Fetch sessions without sockets: the kinds of fetch, epochs, updates, what is answered, and eviction. */
class FetchSessionCacheTest {

    private static final short V12 = 12;
    private static final short V13 = 13;
    private static final long EVICTION_MS = 1000;

    private final AtomicLong now = new AtomicLong(1_000_000);

    private FetchSessionCache cache(int slots, long maxBytes) {
        return new FetchSessionCache(slots, EVICTION_MS, maxBytes, now::get);
    }

    private static Key key(int partition) {
        return new Key("t", Uuid.ZERO, partition);
    }

    private static Requested at(int partition, long offset) {
        return new Requested(
                key(partition),
                new FetchRequestData.FetchPartition()
                        .setPartition(partition)
                        .setFetchOffset(offset)
                        .setPartitionMaxBytes(1024));
    }

    private static List<Requested> partitions(int count) {
        List<Requested> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(at(i, 0));
        return out;
    }

    private static List<Answered> quiet(Plan plan, long highWatermark) {
        return plan.partitions().stream()
                .map(r -> new Answered(highWatermark, 0, false, false))
                .toList();
    }

    /** A full fetch answered with every high watermark at 5: the new session's id. */
    private static int openSession(FetchSessionCache cache, int partitionCount) {
        Plan full = cache.open(V12, 0, 0, false, partitions(partitionCount), List.of());
        assertEquals(Kind.FULL, full.kind());
        return cache.completeFull(full, quiet(full, 5));
    }

    @Test
    void fullFetchOpensSessionAtEpochOneAndIncrementalOnesAdvanceIt() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 3);
        assertNotEquals(0, id);
        assertEquals(1, cache.epochOf(id));

        Plan inc = cache.open(V12, id, 1, false, List.of(), List.of());
        assertEquals(Kind.INCREMENTAL, inc.kind());
        assertEquals(3, inc.partitions().size(), "an incremental fetch reads every partition of its session");
        assertEquals(2, cache.epochOf(id));
        // nothing changed: nothing answered
        assertArrayEquals(new boolean[3], cache.completeIncremental(inc, quiet(inc, 5)));
    }

    @Test
    void answersOnlyPartitionsWithNewsAndMovesThemToTheEnd() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 3);
        Plan inc = cache.open(V12, id, 1, false, List.of(at(1, 7)), List.of());
        assertEquals(7, inc.partitions().get(1).params().fetchOffset(), "the changed fetch offset is kept");
        List<Answered> answers = List.of(
                new Answered(5, 0, false, false), new Answered(9, 0, true, false), new Answered(5, 0, false, false));
        assertArrayEquals(new boolean[] {false, true, false}, cache.completeIncremental(inc, answers));

        Plan next = cache.open(V12, id, 2, false, List.of(), List.of());
        assertEquals(
                List.of(0, 2, 1),
                next.partitions().stream().map(r -> r.key().partition()).toList(),
                "the partition just answered is read last");
        // a moved high watermark alone is news; an error is sent every time
        answers = List.of(
                new Answered(6, 0, false, false), new Answered(5, 0, false, true), new Answered(9, 0, false, false));
        assertArrayEquals(new boolean[] {true, true, false}, cache.completeIncremental(next, answers));
        Plan third = cache.open(V12, id, 3, false, List.of(), List.of());
        assertEquals(
                List.of(1, 0, 2),
                third.partitions().stream().map(r -> r.key().partition()).toList());
        // the error went away: that partition is sent again though its high watermark did not move
        answers = List.of(
                new Answered(9, 0, false, false), new Answered(6, 0, false, false), new Answered(5, 0, false, false));
        assertArrayEquals(new boolean[] {false, false, true}, cache.completeIncremental(third, answers));
    }

    @Test
    void sessionErrorsAsKafkaAnswersThem() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 2);
        assertEquals(
                Errors.FETCH_SESSION_ID_NOT_FOUND,
                cache.open(V12, id + 1, 1, false, List.of(), List.of()).error());
        assertEquals(
                Errors.INVALID_FETCH_SESSION_EPOCH,
                cache.open(V12, id, 7, false, List.of(), List.of()).error());
        assertEquals(
                Errors.FETCH_SESSION_TOPIC_ID_ERROR,
                cache.open(V13, id, 1, false, List.of(), List.of()).error());
        assertEquals(
                Errors.FETCH_SESSION_ID_NOT_FOUND,
                cache.open(V12, 0, 3, false, List.of(), List.of()).error());
        // errors leave the session as it was
        assertEquals(
                Kind.INCREMENTAL,
                cache.open(V12, id, 1, false, List.of(), List.of()).kind());
    }

    @Test
    void epochMinusOneClosesTheSessionAndFetchesWithoutOne() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 2);
        Plan close = cache.open(V12, id, -1, false, partitions(1), List.of());
        assertEquals(Kind.SESSIONLESS, close.kind());
        assertEquals(0, cache.size());
        assertEquals(0, cache.estimatedBytes());
        assertEquals(
                Kind.SESSIONLESS,
                cache.open((short) 6, 0, 0, false, partitions(1), List.of()).kind());
    }

    @Test
    void forgettingEveryPartitionClosesTheSession() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 2);
        Plan plan = cache.open(V12, id, 1, false, List.of(), List.of(key(0), key(1), key(99)));
        assertEquals(Kind.SESSIONLESS, plan.kind());
        assertEquals(0, cache.size());
        assertEquals(0, cache.partitions());
    }

    @Test
    void aSecondFetchOfTheSameEpochMakesTheFirstAnswerAnEpochError() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        int id = openSession(cache, 2);
        Plan waiting = cache.open(V12, id, 1, false, List.of(), List.of());
        Plan later = cache.open(V12, id, 2, false, List.of(), List.of());
        assertNull(cache.completeIncremental(waiting, quiet(waiting, 5)));
        assertArrayEquals(new boolean[2], cache.completeIncremental(later, quiet(later, 5)));
    }

    @Test
    void epochWrapsFromMaxToOne() {
        assertEquals(1, FetchSessionCache.nextEpoch(Integer.MAX_VALUE));
        assertEquals(-1, FetchSessionCache.nextEpoch(-1));
        assertEquals(-1, FetchSessionCache.nextEpoch(Integer.MIN_VALUE));
        assertEquals(2, FetchSessionCache.nextEpoch(1));
    }

    @Test
    void fullCacheRefusesNewSessionsUntilOneIsStale() {
        FetchSessionCache cache = cache(2, Long.MAX_VALUE);
        int a = openSession(cache, 5);
        now.addAndGet(10);
        int b = openSession(cache, 5);
        assertEquals(0, openSession(cache, 5), "young sessions are not evicted");
        assertEquals(2, cache.size());
        now.addAndGet(EVICTION_MS - 5);
        // b stays in use; a goes stale
        cache.open(V12, b, 1, false, List.of(), List.of());
        now.addAndGet(10);
        int c = openSession(cache, 1);
        assertNotEquals(0, c);
        assertEquals(-1, cache.epochOf(a), "the least recently used stale session made room");
        assertEquals(1, cache.evictions());
    }

    @Test
    void aBiggerSessionEvictsASmallerEvictableOne() {
        FetchSessionCache cache = cache(2, Long.MAX_VALUE);
        int small = openSession(cache, 2);
        int big = openSession(cache, 50);
        // both used often, past the eviction time since creation: evictable, not stale
        for (int i = 1; i <= 4; i++) {
            now.addAndGet(EVICTION_MS / 2);
            cache.open(V12, small, i, false, List.of(), List.of());
            cache.open(V12, big, i, false, List.of(), List.of());
        }
        assertEquals(0, openSession(cache, 1), "a smaller newcomer does not evict");
        int newcomer = openSession(cache, 10);
        assertNotEquals(0, newcomer);
        assertEquals(-1, cache.epochOf(small));
        assertEquals(5, cache.epochOf(big));
    }

    @Test
    void aFollowerEvictsAYoungConsumerSession() {
        FetchSessionCache cache = cache(1, Long.MAX_VALUE);
        int consumer = openSession(cache, 100);
        Plan follower = cache.open(V12, 0, 0, true, partitions(1), List.of());
        int id = cache.completeFull(follower, quiet(follower, 0));
        assertNotEquals(0, id);
        assertEquals(-1, cache.epochOf(consumer));
        assertEquals(0, openSession(cache, 1000), "a consumer never evicts a young follower session");
    }

    @Test
    void theByteCapBoundsTheWholeCache() {
        long perPartition = FetchSessionCache.PARTITION_BYTES + 2;
        long cap = FetchSessionCache.SESSION_BYTES * 3 + perPartition * 250;
        FetchSessionCache cache = cache(1000, cap);
        assertEquals(0, openSession(cache, 300), "a session bigger than the cap is never cached");
        int a = openSession(cache, 100);
        int b = openSession(cache, 100);
        assertNotEquals(0, a);
        assertNotEquals(0, b);
        assertEquals(0, openSession(cache, 100), "no room and nothing evictable");
        assertTrue(cache.estimatedBytes() <= cap);
        // growing a session past the cap closes it, and that fetch is answered in full without a session
        List<Requested> more = new ArrayList<>();
        for (int i = 100; i < 200; i++) more.add(at(i, 0));
        Plan grown = cache.open(V12, a, 1, false, more, List.of());
        assertEquals(Kind.SESSIONLESS, grown.kind());
        assertEquals(200, grown.partitions().size());
        assertEquals(-1, cache.epochOf(a));
        assertEquals(100, cache.partitions());
        assertTrue(cache.estimatedBytes() <= cap);
    }

    @Test
    void topicIdSessionsKeyPartitionsById() {
        FetchSessionCache cache = cache(10, Long.MAX_VALUE);
        Uuid id1 = Uuid.random();
        Requested r = new Requested(
                new Key(null, id1, 0),
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(3));
        Plan full = cache.open(V13, 0, 0, false, List.of(r, r), List.of());
        assertEquals(1, full.partitions().size(), "a repeated partition is read once");
        int id = cache.completeFull(full, quiet(full, 0));
        Plan inc = cache.open(V13, id, 1, false, List.of(), List.of(new Key(null, id1, 0)));
        assertEquals(Kind.SESSIONLESS, inc.kind(), "the only partition was forgotten");
    }
}
