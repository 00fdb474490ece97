package dev.skiff.log.memory;

import dev.skiff.log.AbortedTxn;
import dev.skiff.log.BatchHeader;
import dev.skiff.log.LeaderEpochCache;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A {@link Log} held on the heap with the same behaviour as the segmented log (rolls, retention, start
 * offset), for tests that want no disk. Reads return copies as {@link LogSlice#ofBuffer}.
 *
 * <p>Mutations are synchronized; reads take a snapshot of the immutable segment list and each segment's
 * published batch count, so they never see a partial append.
 */
public final class InMemoryLog implements Log {
    private volatile LogConfig config;
    private final LongSupplier clock;
    private volatile List<MemSegment> segments = List.of();
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile boolean closed;
    private final LeaderEpochCache epochs = LeaderEpochCache.inMemory();

    private InMemoryLog(LogConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        segments = List.of(new MemSegment(0, clock.getAsLong()));
    }

    public static InMemoryLog create(LogConfig config) {
        return new InMemoryLog(config, System::currentTimeMillis);
    }

    public static InMemoryLog create(LogConfig config, LongSupplier clockMs) {
        return new InMemoryLog(config, clockMs);
    }

    private record Batch(long baseOffset, long lastOffset, long maxTimestamp, ByteBuffer bytes) {}

    private static final class MemSegment {
        final long baseOffset;
        final long createdMs;
        volatile Batch[] batches = new Batch[8];
        volatile int count;
        volatile long size;
        volatile long maxTimestamp = -1, offsetOfMaxTimestamp = -1;
        volatile long lastModified;
        /** Aborted transactions whose marker is here, like a segment's .txnindex (copied on write: aborts are rare). */
        volatile List<AbortedTxn> aborted = List.of();

        MemSegment(long baseOffset, long nowMs) {
            this.baseOffset = baseOffset;
            this.createdMs = nowMs;
            this.lastModified = nowMs;
        }

        long rollingBaseTimestamp() {
            return count > 0 && batches[0].maxTimestamp >= 0 ? batches[0].maxTimestamp : createdMs;
        }
        /** segment.ms age as Kafka measures it: record time when batches have timestamps, else wall clock. */
        long ageForRoll(long nowMs, long incomingTimestamp) {
            return count > 0 && batches[0].maxTimestamp >= 0
                    ? incomingTimestamp - batches[0].maxTimestamp
                    : nowMs - createdMs;
        }

        long largestTimestamp() {
            return maxTimestamp >= 0 ? maxTimestamp : lastModified;
        }

        void add(Batch batch, long nowMs) {
            if (count == batches.length) batches = java.util.Arrays.copyOf(batches, count * 2);
            batches[count] = batch;
            if (batch.maxTimestamp > maxTimestamp) {
                offsetOfMaxTimestamp = batch.baseOffset;
                maxTimestamp = batch.maxTimestamp;
            }
            size += batch.bytes.remaining();
            lastModified = nowMs;
            count = count + 1; // publish last
        }
    }

    @Override
    public long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return logEndOffset;
    }

    @Override
    public synchronized AppendInfo append(ByteBuffer buffer) {
        return append(buffer, true);
    }

    @Override
    public synchronized AppendInfo appendAsFollower(ByteBuffer buffer) {
        return append(buffer, false);
    }

    @Override
    public LeaderEpochCache leaderEpochCache() {
        return epochs;
    }

    @Override
    public synchronized void truncateTo(long offset) {
        ensureOpen();
        if (offset >= logEndOffset) return;
        if (offset <= segments.get(0).baseOffset || offset <= logStartOffset) {
            truncateFullyAndStartAt(Math.max(0, offset));
            return;
        }
        List<MemSegment> kept = new ArrayList<>();
        long end = logStartOffset;
        for (MemSegment s : segments) {
            if (s.baseOffset >= offset && !kept.isEmpty()) break;
            MemSegment copy = new MemSegment(s.baseOffset, s.createdMs);
            for (int i = 0; i < s.count; i++) {
                Batch b = s.batches[i];
                if (b.lastOffset >= offset) break;
                copy.add(b, s.lastModified);
                end = b.lastOffset + 1;
            }
            copy.aborted =
                    s.aborted.stream().filter(t -> t.lastOffset() < offset).toList();
            kept.add(copy);
        }
        segments = List.copyOf(kept);
        logEndOffset = Math.max(end, kept.get(kept.size() - 1).baseOffset);
        epochs.truncateFromEnd(logEndOffset);
    }

    @Override
    public synchronized void truncateFullyAndStartAt(long offset) {
        ensureOpen();
        segments = List.of(new MemSegment(offset, clock.getAsLong()));
        logStartOffset = offset;
        logEndOffset = offset;
        epochs.clear();
    }

    private AppendInfo append(ByteBuffer buffer, boolean assignOffsets) {
        ensureOpen();
        ByteBuffer data = buffer.duplicate();
        int end = data.limit();
        for (int at = data.position(), n = 0; at < end; n++) {
            String problem = BatchHeader.check(data, at, end - at, false);
            if (problem != null) throw new IllegalArgumentException("batch " + n + ": " + problem);
            at += BatchHeader.totalSize(data, at);
        }
        long first = logEndOffset, next = first, maxTs = -1;
        long total = data.remaining();
        List<Batch> batches = new ArrayList<>();
        for (int at = data.position(); at < end; ) {
            int size = BatchHeader.totalSize(data, at);
            if (assignOffsets) data.putLong(at + BatchHeader.BASE_OFFSET, next);
            else if (BatchHeader.baseOffset(data, at) < next)
                throw new IllegalArgumentException("batch starts at offset " + BatchHeader.baseOffset(data, at)
                        + ", below the next offset " + next);
            else next = BatchHeader.baseOffset(data, at);
            if (!assignOffsets && batches.isEmpty()) first = next;
            long last = next + BatchHeader.lastOffsetDelta(data, at);
            long ts = BatchHeader.maxTimestamp(data, at);
            ByteBuffer copy = ByteBuffer.allocate(size);
            copy.put(data.duplicate().limit(at + size).position(at)).flip();
            batches.add(new Batch(next, last, ts, copy.asReadOnlyBuffer()));
            maxTs = Math.max(maxTs, ts);
            next = last + 1;
            at += size;
        }
        if (batches.isEmpty()) return new AppendInfo(first, first - 1, -1, 0);
        MemSegment segment = active();
        long now = clock.getAsLong();
        if (segment.count > 0
                && (segment.size + total > config.segmentBytes()
                        || segment.ageForRoll(now, maxTs) > config.segmentMs())) {
            segment = roll(now);
        }
        for (Batch b : batches) segment.add(b, now);
        logEndOffset = next;
        if (!assignOffsets) {
            for (Batch b : batches) epochs.assign(b.bytes.getInt(BatchHeader.PARTITION_LEADER_EPOCH), b.baseOffset);
        }
        return new AppendInfo(first, next - 1, maxTs, batches.size());
    }

    private MemSegment active() {
        List<MemSegment> s = segments;
        return s.get(s.size() - 1);
    }

    private MemSegment roll(long now) {
        MemSegment fresh = new MemSegment(logEndOffset, now);
        List<MemSegment> next = new ArrayList<>(segments);
        next.add(fresh);
        segments = List.copyOf(next);
        return fresh;
    }

    @Override
    public synchronized void appendAbortedTransaction(AbortedTxn txn) {
        ensureOpen();
        if (txn.lastOffset() < logStartOffset) return;
        MemSegment holder = null;
        for (MemSegment s : segments) if (s.baseOffset <= txn.lastOffset()) holder = s;
        if (holder == null) return;
        List<AbortedTxn> next = new ArrayList<>(holder.aborted);
        next.add(txn);
        holder.aborted = List.copyOf(next);
    }

    @Override
    public List<AbortedTxn> abortedTransactions(long fromOffset, long toOffset) {
        List<MemSegment> all = segments;
        int first = 0;
        for (int i = 0; i < all.size(); i++) if (all.get(i).baseOffset <= fromOffset) first = i;
        List<AbortedTxn> out = new ArrayList<>();
        for (MemSegment s : all.subList(first, all.size())) {
            for (AbortedTxn t : s.aborted) if (t.lastOffset() >= fromOffset && t.firstOffset() < toOffset) out.add(t);
        }
        return out;
    }

    @Override
    public LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
        long end = logEndOffset, start = logStartOffset;
        if (offset < start || offset > end)
            throw new OffsetOutOfRangeException("offset " + offset + " is outside " + start + ".." + end);
        if (offset == end) return LogSlice.EMPTY;
        List<ByteBuffer> picked = new ArrayList<>();
        long bytes = 0;
        for (MemSegment segment : segments) {
            int n = segment.count;
            Batch[] batches = segment.batches;
            for (int i = 0; i < n; i++) {
                Batch b = batches[i];
                if (b.lastOffset < offset) continue;
                int size = b.bytes.remaining();
                if (bytes + size > maxBytes) {
                    if (picked.isEmpty() && minOneBatch) {
                        picked.add(b.bytes);
                        bytes = size;
                    }
                    return concat(picked, bytes);
                }
                picked.add(b.bytes);
                bytes += size;
            }
            if (!picked.isEmpty()) break; // like a file log, one read serves one segment
        }
        return concat(picked, bytes);
    }

    private static LogSlice concat(List<ByteBuffer> parts, long bytes) {
        if (parts.isEmpty()) return LogSlice.EMPTY;
        ByteBuffer out = ByteBuffer.allocate((int) bytes);
        for (ByteBuffer p : parts) out.put(p.duplicate());
        return LogSlice.ofBuffer(out.flip());
    }

    @Override
    public TimestampOffset offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        for (MemSegment segment : segments) {
            if (segment.maxTimestamp < timestamp) continue;
            int n = segment.count;
            Batch[] batches = segment.batches;
            for (int i = 0; i < n; i++) {
                Batch b = batches[i];
                if (b.lastOffset >= start && b.maxTimestamp >= timestamp)
                    return new TimestampOffset(b.maxTimestamp, Math.max(b.baseOffset, start));
            }
        }
        return null;
    }

    @Override
    public TimestampOffset maxTimestamp() {
        TimestampOffset best = null;
        for (MemSegment s : segments) {
            long offset = s.offsetOfMaxTimestamp, ts = s.maxTimestamp;
            if (ts >= 0 && (best == null || ts > best.timestamp())) best = new TimestampOffset(ts, offset);
        }
        return best;
    }

    @Override
    public List<Long> segmentBaseOffsets() {
        return segments.stream().map(s -> s.baseOffset).toList();
    }

    @Override
    public List<Long> segmentLastModified() {
        return segments.stream().map(s -> s.lastModified).toList();
    }

    @Override
    public synchronized void deleteRecordsBefore(long offset) {
        ensureOpen();
        if (offset > logEndOffset)
            throw new OffsetOutOfRangeException("offset " + offset + " is above the log end offset " + logEndOffset);
        if (offset <= logStartOffset) return;
        logStartOffset = offset;
        deleteWhile((s, next) -> next != null && next.baseOffset <= logStartOffset);
        epochs.truncateFromStart(offset);
    }

    @Override
    public synchronized int applyRetention(long nowMs) {
        ensureOpen();
        MemSegment current = active();
        if (current.count > 0 && nowMs - current.rollingBaseTimestamp() > config.segmentMs()) roll(nowMs);
        int removed = 0;
        if (config.retentionMs() >= 0)
            removed += deleteWhile((s, next) -> nowMs - s.largestTimestamp() > config.retentionMs());
        if (config.retentionBytes() >= 0) {
            long[] excess = {sizeInBytes() - config.retentionBytes()};
            removed += deleteWhile((s, next) -> {
                if (excess[0] - s.size < 0) return false;
                excess[0] -= s.size;
                return true;
            });
        }
        removed += deleteWhile((s, next) -> next != null && next.baseOffset <= logStartOffset);
        return removed;
    }

    private int deleteWhile(java.util.function.BiPredicate<MemSegment, MemSegment> rule) {
        List<MemSegment> all = segments;
        int n = 0;
        while (n < all.size()) {
            MemSegment s = all.get(n), next = n + 1 < all.size() ? all.get(n + 1) : null;
            if (next == null && s.count == 0) break;
            if (!rule.test(s, next)) break;
            n++;
        }
        if (n == 0) return n;
        if (n == all.size()) roll(clock.getAsLong());
        List<MemSegment> kept = new ArrayList<>(segments.subList(n, segments.size()));
        segments = List.copyOf(kept);
        logStartOffset = Math.max(logStartOffset, kept.get(0).baseOffset);
        return n;
    }

    @Override
    public synchronized void reconfigure(LogConfig config) {
        this.config = config;
    }

    @Override
    public void flush() {
        ensureOpen();
    }

    @Override
    public long sizeInBytes() {
        return segments.stream().mapToLong(s -> s.size).sum();
    }

    @Override
    public synchronized void delete() {
        closed = true;
        segments = List.of(new MemSegment(logEndOffset, clock.getAsLong()));
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) throw new LogStorageException("log is closed");
    }
}
