package dev.skiff.broker.share;

import dev.skiff.broker.Partition;
import dev.skiff.broker.internal.records.ShareSnapshotValueData;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.LogSlice;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records of one partition as one share group consumes them (KIP-932's share-partition): below the start
 * offset everything is done; from there to the end of the in-flight window each offset is available, acquired
 * by one member until its lock expires, acknowledged, or archived. An acquisition counts a delivery; a record
 * released (by its consumer, a closed session or an expired lock) once its deliveries reached
 * {@code group.share.delivery.count.limit} is archived rather than offered again.
 *
 * <p>What must survive a restart (start offset, states and delivery counts of the window, each acquisition's
 * count included; acquired records count as available) is {@link #snapshot}, written to __share_group_state by {@link ShareStateLog}; the locks are kept
 * only here. Every method is synchronized: members on several connections share one partition.
 */
public final class SharePartition {

    /** Kafka's record states; the persisted ones are AVAILABLE, ACKNOWLEDGED and ARCHIVED. */
    static final byte AVAILABLE = 0, ACQUIRED = 1, ACKNOWLEDGED = 2, ARCHIVED = 4;

    /** Acknowledge types of ShareFetch and ShareAcknowledge. */
    public static final byte GAP = 0, ACCEPT = 1, RELEASE = 2, REJECT = 3;

    /** The most a share fetch reads from one partition at once; a larger first batch is still served whole. */
    private static final int MAX_READ_BYTES = 4 << 20;

    /** A range of offsets acquired at one delivery count, as ShareFetch answers them. */
    public record Acquired(long firstOffset, long lastOffset, short deliveryCount) {}

    /** What one acquisition hands a member: the batches holding its records, and which offsets are its. */
    public record Fetched(RecordsData records, List<Acquired> acquired) {
        static final Fetched NONE = new Fetched(BufferRecords.EMPTY, List.of());
    }

    private static final class InFlight {
        byte state;
        short deliveryCount;
        String member;
        long lockDeadline;

        InFlight(byte state, short deliveryCount) {
            this.state = state;
            this.deliveryCount = deliveryCount;
        }
    }

    private final SharePartitionKey key;
    private final ShareConfig config;
    private final long createTimestamp;
    private long startOffset;
    /** The first offset never acquired: the end of the in-flight window. */
    private long nextOffset;
    /** Offsets of the window with their state; an offset missing inside it is a gap of the log. */
    private final TreeMap<Long, InFlight> window = new TreeMap<>();

    private int acquiredCount;
    /** Something that must survive changed since the last {@link #snapshot}. */
    private boolean dirty;

    SharePartition(SharePartitionKey key, ShareConfig config, long startOffset, long createTimestamp) {
        this.key = key;
        this.config = config;
        this.startOffset = startOffset;
        this.nextOffset = startOffset;
        this.createTimestamp = createTimestamp;
        this.dirty = true;
    }

    /** The partition as a snapshot left it: acquisitions are gone, their records available again. */
    static SharePartition restore(SharePartitionKey key, ShareConfig config, ShareSnapshotValueData snapshot) {
        SharePartition p = new SharePartition(key, config, snapshot.startOffset(), snapshot.createTimestamp());
        for (ShareSnapshotValueData.StateBatch b : snapshot.stateBatches()) {
            long first = Math.max(b.firstOffset(), p.startOffset);
            // a snapshot holds at most the window of locks; anything longer is damage, not state
            if (b.lastOffset() < first || b.lastOffset() - first >= config.maxRecordLocks()) continue;
            byte state =
                    b.deliveryState() == ACKNOWLEDGED || b.deliveryState() == ARCHIVED ? b.deliveryState() : AVAILABLE;
            for (long o = first; o <= b.lastOffset() && p.window.size() < config.maxRecordLocks(); o++)
                p.window.put(o, new InFlight(state, b.deliveryCount()));
            p.nextOffset = Math.max(p.nextOffset, b.lastOffset() + 1);
        }
        p.advanceStart();
        p.dirty = false;
        return p;
    }

    public SharePartitionKey key() {
        return key;
    }

    public synchronized long startOffset() {
        return startOffset;
    }

    /** Offsets of the window not yet acknowledged or archived, for the lag Kafka reports. */
    public synchronized long inFlightUndone() {
        return window.values().stream()
                .filter(r -> r.state == AVAILABLE || r.state == ACQUIRED)
                .count();
    }

    /** Whether a fetch would find something to acquire now: a record available again, or new ones. */
    public synchronized boolean hasAvailable(Partition log, long now) {
        return hasAvailable(log, now, false);
    }

    /** As above; with {@code readCommitted} new records count only below the last stable offset. */
    public synchronized boolean hasAvailable(Partition log, long now, boolean readCommitted) {
        expireLocks(now);
        if (acquiredCount < window.size()) {
            for (InFlight r : window.values()) if (r.state == AVAILABLE) return true;
        }
        long end = readCommitted ? Math.min(log.highWatermark(), log.lastStableOffset()) : log.highWatermark();
        return window.size() < config.maxRecordLocks() && nextOffset < end;
    }

    /**
     * Acquires for {@code member} up to about {@code maxRecords} records (whole batches): first those available
     * again in the window, in offset order, then new ones from its end, while the window has room.
     */
    public synchronized Fetched acquire(String member, Partition log, int maxRecords, int maxBytes, long now) {
        return acquire(member, log, maxRecords, maxBytes, now, config.recordLockDurationMs(), false);
    }

    /**
     * As above, locking for {@code lockDurationMs} (the group's share.record.lock.duration.ms); with
     * {@code readCommitted} (share.isolation.level=read_committed) nothing at or past the last stable offset is
     * acquired and records of aborted transactions are archived instead of offered, as Kafka does.
     */
    public synchronized Fetched acquire(
            String member,
            Partition log,
            int maxRecords,
            int maxBytes,
            long now,
            long lockDurationMs,
            boolean readCommitted) {
        expireLocks(now);
        followLogStart(log.logStartOffset());
        long end = readCommitted ? Math.min(log.highWatermark(), log.lastStableOffset()) : log.highWatermark();
        long readFrom = -1;
        for (Map.Entry<Long, InFlight> e : window.entrySet()) {
            if (e.getValue().state == AVAILABLE) {
                readFrom = e.getKey();
                break;
            }
        }
        if (readFrom < 0) {
            if (window.size() >= config.maxRecordLocks() || nextOffset >= end) return Fetched.NONE;
            readFrom = nextOffset;
        }
        ByteBuffer data;
        try {
            LogSlice slice = log.read(readFrom, Math.max(1, Math.min(maxBytes, MAX_READ_BYTES)), true);
            data = slice.readFully();
        } catch (RuntimeException e) {
            // the log moved under us (retention, truncation): nothing this time, the next fetch starts anew
            followLogStart(log.logStartOffset());
            return Fetched.NONE;
        }
        List<Long> acquiredOffsets = new ArrayList<>();
        List<AbortedTxn> aborted = readCommitted && nextOffset < end
                ? log.log().abortedTransactions(Math.max(readFrom, nextOffset), end)
                : List.of();
        // the answer carries the batches from the first to the last one holding an acquired record
        int batchStart = data.position(), from = -1, to = -1;
        for (RecordBatch batch : RecordBatches.batches(data)) {
            int size = batch.sizeInBytes();
            if (batch.baseOffset() >= end || acquiredOffsets.size() >= maxRecords) break;
            if (batch.lastOffset() >= nextOffset && window.size() >= config.maxRecordLocks()) break;
            boolean took = false;
            for (long o = Math.max(batch.baseOffset(), startOffset); o <= batch.lastOffset(); o++) {
                InFlight r = window.get(o);
                if (o >= nextOffset) {
                    if (window.size() >= config.maxRecordLocks()) break;
                    // control records (transaction markers) are never delivered
                    boolean skip = batch.isControl() || (batch.isTransactional() && abortedAt(aborted, batch, o));
                    r = new InFlight(skip ? ARCHIVED : AVAILABLE, (short) 0);
                    window.put(o, r);
                    nextOffset = o + 1;
                    dirty = true;
                }
                if (r != null && r.state == AVAILABLE) {
                    r.state = ACQUIRED;
                    r.deliveryCount++;
                    r.member = member;
                    r.lockDeadline = now + lockDurationMs;
                    acquiredCount++;
                    acquiredOffsets.add(o);
                    took = true;
                    // written before the answer: a restart must not hand out this delivery's count again, so
                    // that counts rise with every delivery (the limit holds across crashes, and a consumer can
                    // tell a copy it fetched before a restart from a later delivery)
                    dirty = true;
                }
            }
            if (took) {
                if (from < 0) from = batchStart;
                to = batchStart + size;
            }
            batchStart += size;
        }
        advanceStart();
        if (acquiredOffsets.isEmpty()) return Fetched.NONE;
        ByteBuffer records = data.duplicate();
        records.limit(to).position(from);
        return new Fetched(BufferRecords.of(records.slice()), ranges(acquiredOffsets));
    }

    private List<Acquired> ranges(List<Long> offsets) {
        List<Acquired> out = new ArrayList<>();
        long first = -1, last = -1;
        short count = -1;
        for (long o : offsets) {
            short c = window.get(o).deliveryCount;
            if (first >= 0 && o == last + 1 && c == count) {
                last = o;
                continue;
            }
            if (first >= 0) out.add(new Acquired(first, last, count));
            first = last = o;
            count = c;
        }
        if (first >= 0) out.add(new Acquired(first, last, count));
        return out;
    }

    /** One acknowledgement batch: {@code types} holds one type for the whole range or one per offset. */
    public record AckBatch(long firstOffset, long lastOffset, byte[] types) {
        /** A batch as the wire lists its types. */
        public static AckBatch of(long firstOffset, long lastOffset, List<Byte> types) {
            byte[] t = new byte[types.size()];
            for (int i = 0; i < t.length; i++) t[i] = types.get(i);
            return new AckBatch(firstOffset, lastOffset, t);
        }

        byte type(long offset) {
            return types.length == 1 ? types[0] : types[(int) (offset - firstOffset)];
        }
    }

    /**
     * Applies the acknowledgement batches of {@code member} for this partition: all or none (their shape, ranges
     * in order and type codes, is checked by the caller). INVALID_RECORD_STATE when no in-flight record lies at
     * or before a batch's first offset, INVALID_REQUEST when a batch runs past the window's end, and
     * INVALID_RECORD_STATE for an offset in it not acquired by this member (acknowledged, released, or its lock expired);
     * a gap may name an offset the log does not have.
     */
    public synchronized Errors acknowledge(String member, List<AckBatch> batches, long now) {
        expireLocks(now);
        for (AckBatch b : batches) {
            // as Kafka 4.1: a batch with no in-flight record at or before its first offset is not found
            // (INVALID_RECORD_STATE); one that starts in the window and runs past its end is INVALID_REQUEST
            if (b.firstOffset() < startOffset || window.floorKey(b.firstOffset()) == null)
                return Errors.INVALID_RECORD_STATE;
            if (b.lastOffset() >= nextOffset) return Errors.INVALID_REQUEST;
            for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                InFlight r = window.get(o);
                boolean mine = r != null && r.state == ACQUIRED && member.equals(r.member);
                if (!(mine || (b.type(o) == GAP && r == null))) return Errors.INVALID_RECORD_STATE;
            }
        }
        for (AckBatch b : batches) {
            for (long o = b.firstOffset(); o <= b.lastOffset(); o++) {
                InFlight r = window.get(o);
                if (r == null) continue;
                switch (b.type(o)) {
                    case ACCEPT -> settle(r, ACKNOWLEDGED);
                    case RELEASE -> release(r);
                    default -> settle(r, ARCHIVED); // REJECT, and GAP over a record that is there
                }
            }
        }
        advanceStart();
        return Errors.NONE;
    }

    /** Makes every record {@code member} holds available again (its session closed or it left the group). */
    public synchronized void releaseAll(String member) {
        if (acquiredCount == 0) return;
        for (InFlight r : window.values()) if (r.state == ACQUIRED && member.equals(r.member)) release(r);
        advanceStart();
    }

    /** Records whose lock ran out are released, as if their consumer had released them. */
    synchronized void expireLocks(long now) {
        if (acquiredCount == 0) return;
        for (InFlight r : window.values()) if (r.state == ACQUIRED && r.lockDeadline <= now) release(r);
        advanceStart();
    }

    private void release(InFlight r) {
        settle(r, r.deliveryCount >= config.deliveryCountLimit() ? ARCHIVED : AVAILABLE);
    }

    private void settle(InFlight r, byte state) {
        if (r.state == ACQUIRED) acquiredCount--;
        r.state = state;
        r.member = null;
        dirty = true;
    }

    /** Records deleted from the log (retention, DeleteRecords) leave the window. */
    private void followLogStart(long logStart) {
        if (logStart <= startOffset) return;
        Iterator<Map.Entry<Long, InFlight>> it = window.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, InFlight> e = it.next();
            if (e.getKey() >= logStart) break;
            if (e.getValue().state == ACQUIRED) acquiredCount--;
            it.remove();
        }
        startOffset = logStart;
        nextOffset = Math.max(nextOffset, logStart);
        dirty = true;
    }

    /** The start offset moves over every leading offset that is done (or a gap). */
    private void advanceStart() {
        while (startOffset < nextOffset) {
            InFlight r = window.get(startOffset);
            if (r != null && r.state != ACKNOWLEDGED && r.state != ARCHIVED) break;
            window.remove(startOffset);
            startOffset++;
            dirty = true;
        }
    }

    /** Moves the start offset (AlterShareGroupOffsets, on an empty group): the window starts afresh there. */
    synchronized void resetTo(long offset) {
        window.clear();
        acquiredCount = 0;
        startOffset = offset;
        nextOffset = offset;
        dirty = true;
    }

    /** Whether something that must survive changed since the last snapshot taken. */
    synchronized boolean dirty() {
        return dirty;
    }

    /** A snapshot taken could not be written: what it held must be written again. */
    synchronized void markDirty() {
        dirty = true;
    }

    /** What survives: the start offset and the window's states and delivery counts, consecutive equal runs merged. */
    synchronized ShareSnapshotValueData snapshot(long now) {
        ShareSnapshotValueData v = new ShareSnapshotValueData()
                .setSnapshotEpoch(0)
                .setStateEpoch(0)
                .setLeaderEpoch(0)
                .setStartOffset(startOffset)
                .setCreateTimestamp(createTimestamp)
                .setWriteTimestamp(now);
        ShareSnapshotValueData.StateBatch run = null;
        for (Map.Entry<Long, InFlight> e : window.entrySet()) {
            InFlight r = e.getValue();
            byte state = r.state == ACQUIRED ? AVAILABLE : r.state;
            long o = e.getKey();
            if (run != null
                    && run.lastOffset() == o - 1
                    && run.deliveryState() == state
                    && run.deliveryCount() == r.deliveryCount) {
                run.setLastOffset(o);
                continue;
            }
            run = new ShareSnapshotValueData.StateBatch()
                    .setFirstOffset(o)
                    .setLastOffset(o)
                    .setDeliveryState(state)
                    .setDeliveryCount(r.deliveryCount);
            v.stateBatches().add(run);
        }
        dirty = false;
        return v;
    }

    /** Whether record {@code offset} of a transactional batch belongs to one of the {@code aborted} transactions. */
    private static boolean abortedAt(List<AbortedTxn> aborted, RecordBatch batch, long offset) {
        for (AbortedTxn t : aborted)
            if (t.producerId() == batch.producerId() && t.firstOffset() <= offset && offset <= t.lastOffset())
                return true;
        return false;
    }
}
