package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Log} kept in one directory as segment files named by base offset, in Kafka's on-disk format.
 *
 * <p>Appends, rolls, retention and deletion take the log's lock; reads take none. Reads see the segment map
 * (concurrent), the log end offset and each segment's size, all published after the bytes they cover.
 *
 * <p>A rolled segment is fsynced on {@link RolledSegmentFlusher}'s thread, not the appender's. At most one
 * rolled segment waits for its fsync at a time (the next roll, a flush or close waits for it), so after a crash
 * only the last two segments are in doubt, and those are what recovery scans; with the data dir's
 * {@link RecoveryPoints} it scans only from the segment holding the recovery point (the offset below which
 * everything was fsynced: the end of the last rolled segment whose fsync finished, or the log end at a flush).
 *
 * <p>The directory also keeps the partition's producer-state snapshots ({@link ProducerSnapshotFiles}): the
 * broker writes them at roll (through {@link #onRoll}) and at close; the log drops those beyond a truncation and
 * those below the log start.
 */
public final class SegmentedLog implements Log {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedLog.class);
    static final String CLEAN_SHUTDOWN = ".clean_shutdown";

    private final Path dir;
    private volatile LogConfig config;
    private final OpenFiles files;
    private final LongSupplier clock;
    private final LogStartCheckpoint checkpoint;
    private LeaderEpochCache epochs; // set by load
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final Object lock = new Object();
    private volatile Segment active;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile boolean closed;
    private long unflushedMessages;
    /** The rolled segment whose fsync runs in the background; null when none is pending. */
    private PendingFlush flushing;
    /** Where the recovery point is reported; null when this log has none (a bare directory, tests). */
    private final RecoveryPoints recoveryPoints;
    /** Everything below this offset is on disk. */
    private final AtomicLong recoveryPoint = new AtomicLong();
    /** Base offset of the first segment that open recovered as in doubt, -1 when none was (a test hook). */
    private long recoveredFrom = -1;

    private final ProducerSnapshotFiles snapshots;
    private volatile LongConsumer rollListener;

    private record PendingFlush(Segment segment, CompletableFuture<Void> done) {}

    private SegmentedLog(Path dir, LogConfig config, OpenFiles files, LongSupplier clock, RecoveryPoints points) {
        this.dir = dir;
        this.recoveryPoints = points;
        this.snapshots = new ProducerSnapshotFiles(dir);
        this.config = config;
        this.files = files;
        this.clock = clock;
        this.checkpoint = new LogStartCheckpoint(dir);
    }

    /** Opens (creating when needed) the log of one partition in {@code dir}, recovering it if it was not closed cleanly. */
    public static SegmentedLog open(Path dir, LogConfig config) {
        return open(dir, config, FileChannelFactory.DEFAULT, System::currentTimeMillis);
    }

    /** As {@link #open(Path, LogConfig)} with the file channel factory and the clock (millis) to use. */
    public static SegmentedLog open(Path dir, LogConfig config, FileChannelFactory files, LongSupplier clock) {
        return open(dir, config, new OpenFiles(files, OpenFiles.defaultMaxOpen()), clock);
    }

    /**
     * As {@link #open(Path, LogConfig)} with its files opened through {@code files}: the broker shares one
     * {@link OpenFiles} among all its logs, which caps the descriptors they hold together.
     */
    public static SegmentedLog open(Path dir, LogConfig config, OpenFiles files, LongSupplier clock) {
        return open(dir, config, files, clock, null);
    }

    /**
     * As {@link #open(Path, LogConfig, OpenFiles, LongSupplier)}, keeping the recovery point in the data dir's
     * {@code points}: after an unclean stop only the segments from the one holding it are recovered.
     */
    public static SegmentedLog open(
            Path dir, LogConfig config, OpenFiles files, LongSupplier clock, RecoveryPoints points) {
        SegmentedLog log = new SegmentedLog(dir, config, files, clock, points);
        try {
            log.load();
        } catch (IOException | RuntimeException e) {
            log.segments.values().forEach(Segment::closeQuietly);
            throw e instanceof LogStorageException lse ? lse : new LogStorageException("cannot open log " + dir, e);
        }
        return log;
    }

    private void load() throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(CLEAN_SHUTDOWN);
        Set<String> names = Recovery.cleanDirectory(dir);
        boolean clean = names.contains(CLEAN_SHUTDOWN);
        List<Long> bases = new ArrayList<>();
        List<Long> snapshotOffsets = new ArrayList<>();
        for (String name : names) {
            long base = Recovery.baseOffsetOf(name);
            if (base >= 0) bases.add(base);
            long snapshot = ProducerSnapshotFiles.offsetOf(name);
            if (snapshot >= 0) snapshotOffsets.add(snapshot);
        }
        bases.sort(null);
        long now = clock.getAsLong();
        long saved = clean || recoveryPoints == null ? -1 : recoveryPoints.saved(dir);
        List<Segment> recovered = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            Segment segment = Segment.open(dir, bases.get(i), config, files, now, names);
            segments.put(segment.baseOffset, segment);
            boolean last = i == bases.size() - 1;
            // After a crash the segments from the one holding the recovery point are in doubt. Without a point:
            // the active segment and the one rolled before it, whose fsync may not have finished; older ones
            // were fsynced with their indexes.
            boolean inDoubt = !clean && (last || (saved >= 0 ? bases.get(i + 1) > saved : i >= bases.size() - 2));
            if (inDoubt && recoveredFrom < 0) recoveredFrom = segment.baseOffset;
            boolean trusted = !inDoubt && segment.loadFromIndexes();
            if (!trusted) {
                if (!inDoubt) LOG.info("Rebuilding indexes of {}", segment.logPath);
                long cut = Recovery.recover(segment);
                recovered.add(segment);
                segment.txnIndex.truncateTo(segment.nextOffset()); // aborts whose marker was cut never happened
                if (cut > 0 && !last) {
                    dropSegmentFiles(bases.subList(i + 1, bases.size()));
                    break;
                }
            }
        }
        if (segments.isEmpty()) {
            long start = Math.max(0, checkpoint.read());
            segments.put(start, Segment.open(dir, start, config, files, now));
        }
        active = segments.lastEntry().getValue();
        logEndOffset = active.nextOffset();
        long start = Math.max(checkpoint.read(), segments.firstKey());
        logStartOffset = Math.min(start, logEndOffset);
        epochs = LeaderEpochCache.load(dir);
        epochs.truncateFromEnd(logEndOffset); // recovery may have cut the tail the epochs pointed into
        for (Segment s : recovered) if (segments.get(s.baseOffset) == s) s.flush(); // what recovery kept is on disk
        for (Segment s : segments.values()) s.parkFiles(); // until used: ten thousand idle partitions hold none
        recoveryPoint.set(logEndOffset);
        if (recoveryPoints != null) recoveryPoints.keep(dir, logEndOffset);
        // recovery may have cut the batches a snapshot describes, or the log start moved past it
        snapshots.deleteOutside(snapshotOffsets, logStartOffset, logEndOffset);
        if (clean) Files.deleteIfExists(marker);
        LOG.debug(
                "Opened {} ({} segments, offsets {}..{}, {})",
                dir,
                segments.size(),
                logStartOffset,
                logEndOffset,
                clean ? "clean" : "recovered");
    }

    /** After a segment lost its tail, later segments would leave a hole in the offsets: drop them. */
    private void dropSegmentFiles(List<Long> laterBases) throws IOException {
        for (long base : laterBases) {
            LOG.warn(
                    "Deleting segment {} of {} because an earlier segment was truncated",
                    Segment.fileName(base, Segment.LOG),
                    dir);
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.LOG)));
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.INDEX)));
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.TIME_INDEX)));
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.TXN_INDEX)));
        }
    }

    // ---- Log --------------------------------------------------------------------------------------------

    @Override
    public long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return logEndOffset;
    }

    /** The directory of this log. */
    public Path dir() {
        return dir;
    }

    @Override
    public AppendInfo append(ByteBuffer buffer) {
        synchronized (lock) {
            ensureOpen();
            return appendLocked(AppendBatches.assignOffsets(buffer, logEndOffset));
        }
    }

    @Override
    public AppendInfo appendAsFollower(ByteBuffer buffer) {
        synchronized (lock) {
            ensureOpen();
            AppendBatches batches = AppendBatches.keepOffsets(buffer, logEndOffset);
            AppendInfo info = appendLocked(batches);
            for (int i = 0; i < batches.count; i++) {
                int at = batches.data.position() + batches.relativePosition[i];
                epochs.assign(batches.data.getInt(at + BatchHeader.PARTITION_LEADER_EPOCH), batches.baseOffset[i]);
            }
            return info;
        }
    }

    @Override
    public LeaderEpochCache leaderEpochCache() {
        return epochs;
    }

    @Override
    public void truncateTo(long offset) {
        synchronized (lock) {
            ensureOpen();
            if (offset >= logEndOffset) return;
            if (offset <= segments.firstKey() || offset <= logStartOffset) {
                truncateFullyLocked(Math.max(offset, 0));
                return;
            }
            try {
                awaitRolledFlush();
                Segment holder = segments.floorEntry(offset).getValue();
                for (Segment later :
                        new ArrayList<>(segments.tailMap(offset, false).values())) {
                    if (later == holder) continue;
                    segments.remove(later.baseOffset);
                    later.deleteFiles();
                }
                holder.truncateTo(offset);
                active = holder;
                logEndOffset = holder.nextOffset();
                epochs.truncateFromEnd(logEndOffset);
                unflushedMessages = 0;
                holder.flush();
                snapshots.deleteAbove(logEndOffset);
                lowerRecoveryPoint(logEndOffset);
                LOG.info("Truncated {} to offset {}", dir, logEndOffset);
            } catch (IOException e) {
                throw new LogStorageException("cannot truncate " + dir + " to " + offset, e);
            }
        }
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        synchronized (lock) {
            ensureOpen();
            truncateFullyLocked(offset);
        }
    }

    private void truncateFullyLocked(long offset) {
        try {
            awaitRolledFlush();
            checkpoint.write(offset);
            for (Segment s : new ArrayList<>(segments.values())) {
                segments.remove(s.baseOffset);
                s.deleteFiles();
            }
            Segment fresh = Segment.open(dir, offset, config, files, clock.getAsLong());
            segments.put(offset, fresh);
            active = fresh;
            logStartOffset = offset;
            logEndOffset = offset;
            epochs.clear();
            unflushedMessages = 0;
            snapshots.deleteAbove(-1);
            lowerRecoveryPoint(offset);
            LOG.info("Emptied {}, which now starts at offset {}", dir, offset);
        } catch (IOException e) {
            throw new LogStorageException("cannot empty " + dir, e);
        }
    }

    private AppendInfo appendLocked(AppendBatches batches) {
        {
            if (batches.count == 0) return new AppendInfo(logEndOffset, logEndOffset - 1, -1, 0);
            Segment segment = active;
            try {
                if (batches.lastOffset - segment.baseOffset > Integer.MAX_VALUE && segment.size() == 0) {
                    // a follower's first batch far past an empty segment: start the segment at the batch
                    segments.remove(segment.baseOffset);
                    segment.deleteFiles();
                    segment = Segment.open(dir, batches.firstOffset, config, files, clock.getAsLong());
                    segments.put(segment.baseOffset, segment);
                    active = segment;
                } else if (shouldRoll(segment, batches)) segment = roll(batches.firstOffset);
                segment.append(batches);
            } catch (IOException e) {
                throw new LogStorageException("append to " + segment.logPath + " failed, nothing was appended", e);
            }
            logEndOffset = batches.lastOffset + 1;
            unflushedMessages += batches.records;
            if (unflushedMessages >= config.flushIntervalMessages()) flushLocked();
            return new AppendInfo(batches.firstOffset, batches.lastOffset, batches.maxTimestampOfAll, batches.count);
        }
    }

    private boolean shouldRoll(Segment segment, AppendBatches batches) {
        if (segment.size() == 0) return false;
        return (long) segment.size() + batches.totalBytes() > config.segmentBytes()
                || segment.ageForRoll(clock.getAsLong(), batches.maxTimestampOfAll) > config.segmentMs()
                || segment.indexesFull(batches.count)
                || batches.lastOffset - segment.baseOffset > Integer.MAX_VALUE;
    }

    /**
     * Seals the active segment (final time entry; its fsync starts in the background) and starts a new one at
     * the log end offset.
     */
    private Segment roll() throws IOException {
        return roll(logEndOffset);
    }

    /** As {@link #roll()} with the new segment at {@code base} (at or after the log end offset). */
    private Segment roll(long base) throws IOException {
        Segment old = active;
        old.finishTimeIndex();
        awaitRolledFlush(); // keeps it to one pending fsync, and so to two segments in doubt after a crash
        Segment fresh = Segment.open(dir, base, config, files, clock.getAsLong());
        segments.put(fresh.baseOffset, fresh);
        active = fresh;
        long flushedTo = base;
        flushing = new PendingFlush(
                old,
                CompletableFuture.runAsync(
                        () -> {
                            flushRolled(old);
                            advanceRecoveryPoint(flushedTo);
                        },
                        RolledSegmentFlusher.executor()));
        LOG.debug("Rolled {} to new segment at offset {}", dir, fresh.baseOffset);
        LongConsumer listener = rollListener;
        if (listener != null) {
            try {
                listener.accept(base);
            } catch (RuntimeException e) {
                LOG.warn("The roll listener of {} failed at offset {}: {}", dir, base, e.toString());
            }
        }
        return fresh;
    }

    /** Everything below {@code offset} is on disk now (a flush or a rolled segment's fsync finished). */
    private void advanceRecoveryPoint(long offset) {
        long now = recoveryPoint.accumulateAndGet(offset, Math::max);
        if (recoveryPoints != null && !closed) recoveryPoints.update(dir, now);
    }

    /** The log was cut below its recovery point (under the lock, no rolled fsync pending). */
    private void lowerRecoveryPoint(long offset) {
        if (recoveryPoint.get() <= offset) return;
        recoveryPoint.set(offset);
        if (recoveryPoints != null) recoveryPoints.update(dir, offset);
    }

    @Override
    public long recoveryPoint() {
        return recoveryPoint.get();
    }

    /**
     * Base offset of the first segment the last open recovered because an unclean stop left it in doubt, or
     * -1 when it opened cleanly (a test hook: recovery starts at the recovery point's segment).
     */
    public long recoveredFrom() {
        return recoveredFrom;
    }

    @Override
    public void onRoll(LongConsumer listener) {
        this.rollListener = listener;
    }

    @Override
    public List<Long> producerSnapshotOffsets() {
        long end = logEndOffset, start = logStartOffset;
        List<Long> out = new ArrayList<>();
        for (long o : snapshots.offsets()) if (o >= start && o <= end) out.add(o);
        return out;
    }

    @Override
    public ByteBuffer readProducerSnapshot(long offset) {
        return snapshots.read(offset);
    }

    @Override
    public void writeProducerSnapshot(long offset, ByteBuffer state) {
        synchronized (lock) {
            if (closed || offset < logStartOffset || offset > logEndOffset) return;
            try {
                snapshots.write(offset, state);
            } catch (IOException e) {
                LOG.warn("Cannot write the producer snapshot at {} of {}: {}", offset, dir, e.toString());
            }
        }
    }

    private static void flushRolled(Segment segment) {
        try {
            segment.flush();
        } catch (ClosedChannelException e) {
            // deleted (retention, compaction, the topic) or closed meanwhile: close fsyncs, delete needs none
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    /**
     * Waits for the background fsync of the last rolled segment. If it failed, it is tried once more here, so
     * that the error reaches this caller (an append that rolls, a flush, close) only if the disk refuses again.
     */
    private void awaitRolledFlush() throws IOException {
        if (flushing == null) return;
        try {
            flushing.done().join();
        } catch (CompletionException e) {
            LOG.warn(
                    "Background fsync of {} failed ({}); trying again",
                    flushing.segment().logPath,
                    e.getCause().toString());
            try {
                flushing.segment().flush();
            } catch (ClosedChannelException closed) {
                // gone meanwhile, as above
            }
        }
        flushing = null;
    }

    @Override
    public void appendAbortedTransaction(AbortedTxn txn) {
        synchronized (lock) {
            ensureOpen();
            // the marker's segment: the active one unless a roll came in between the marker and this call
            Map.Entry<Long, Segment> holder = segments.floorEntry(txn.lastOffset());
            if (holder == null || txn.lastOffset() < logStartOffset) return; // retention already took it
            try {
                holder.getValue().txnIndex.append(txn);
            } catch (IOException e) {
                throw new LogStorageException("cannot index the aborted transaction " + txn + " in " + dir, e);
            }
        }
    }

    @Override
    public List<AbortedTxn> abortedTransactions(long fromOffset, long toOffset) {
        List<AbortedTxn> out = new ArrayList<>();
        // a transaction overlapping the range has its marker at or after fromOffset: later segments only
        Long from = segments.floorKey(fromOffset);
        for (Segment segment :
                segments.tailMap(from != null ? from : Long.MIN_VALUE, true).values()) {
            segment.txnIndex.collect(fromOffset, toOffset, out);
        }
        return out;
    }

    @Override
    public LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
        try {
            return readOnce(offset, maxBytes, minOneBatch);
        } catch (LogStorageException e) {
            if (!(e.getCause() instanceof ClosedChannelException) || closed) throw e;
            return readOnce(offset, maxBytes, minOneBatch); // a segment was compacted or deleted meanwhile
        }
    }

    private LogSlice readOnce(long offset, int maxBytes, boolean minOneBatch) {
        long end = logEndOffset;
        long start = logStartOffset;
        if (offset < start || offset > end) {
            throw new OffsetOutOfRangeException(
                    "offset " + offset + " is outside " + start + ".." + end + " of " + dir);
        }
        if (offset == end) return LogSlice.EMPTY;
        Map.Entry<Long, Segment> floor = segments.floorEntry(offset);
        Long from = floor != null ? floor.getKey() : segments.firstKey();
        try {
            for (Segment segment : segments.tailMap(from, true).values()) {
                LogSlice slice = segment.read(offset, Math.max(0, maxBytes), minOneBatch);
                if (slice != null) return slice;
            }
        } catch (ClosedChannelException e) {
            // the segment was deleted by retention while we read it
            if (offset < logStartOffset)
                throw new OffsetOutOfRangeException("offset " + offset + " was just deleted from " + dir);
            throw new LogStorageException("read of " + dir + " failed", e);
        } catch (IOException e) {
            throw new LogStorageException("read of " + dir + " failed", e);
        }
        return LogSlice.EMPTY;
    }

    @Override
    public TimestampOffset offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        try {
            for (Segment segment : segments.values()) {
                if (segment.maxTimestamp() < timestamp) continue;
                TimestampOffset found = segment.findTimestamp(timestamp, start);
                if (found != null) return found;
            }
        } catch (IOException e) {
            throw new LogStorageException("timestamp lookup in " + dir + " failed", e);
        }
        return null;
    }

    @Override
    public TimestampOffset maxTimestamp() {
        TimestampOffset best = null;
        for (Segment segment : segments.values()) {
            long offset = segment.offsetOfMaxTimestamp();
            long ts = segment.maxTimestamp();
            if (ts >= 0 && (best == null || ts > best.timestamp())) best = new TimestampOffset(ts, offset);
        }
        return best;
    }

    @Override
    public List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    @Override
    public List<Long> segmentLastModified() {
        List<Long> out = new ArrayList<>();
        for (Segment segment : segments.values()) out.add(segment.lastModified());
        return out;
    }

    @Override
    public void deleteRecordsBefore(long offset) {
        synchronized (lock) {
            ensureOpen();
            if (offset > logEndOffset) {
                throw new OffsetOutOfRangeException(
                        "offset " + offset + " is above the log end offset " + logEndOffset);
            }
            if (offset <= logStartOffset) return;
            try {
                checkpoint.write(offset);
                logStartOffset = offset;
                deleteSegments(Retention.belowStart(offset));
                epochs.truncateFromStart(offset);
                snapshots.deleteBelow(offset);
            } catch (IOException e) {
                throw new LogStorageException("cannot move the log start offset of " + dir, e);
            }
        }
    }

    @Override
    public int applyRetention(long nowMs) {
        synchronized (lock) {
            ensureOpen();
            try {
                Segment current = active;
                if (current.size() > 0 && nowMs - current.rollingBaseTimestamp() > config.segmentMs()) roll();
                int removed = deleteSegments(Retention.byTime(config.retentionMs(), nowMs));
                removed += deleteSegments(Retention.bySize(config.retentionBytes(), sizeInBytes()));
                removed += deleteSegments(Retention.belowStart(logStartOffset));
                if (removed > 0) snapshots.deleteBelow(logStartOffset);
                return removed;
            } catch (IOException e) {
                throw new LogStorageException("retention of " + dir + " failed", e);
            }
        }
    }

    /**
     * Deletes the oldest segments while the rule holds. An empty active segment stops it; a non-empty active
     * segment that must go is rolled first, so the log always keeps one (empty) segment at its end offset.
     */
    private int deleteSegments(BiPredicate<Segment, Segment> rule) throws IOException {
        List<Segment> doomed = new ArrayList<>();
        for (Segment segment : segments.values()) {
            Map.Entry<Long, Segment> next = segments.higherEntry(segment.baseOffset);
            if (next == null && segment.size() == 0) break;
            if (!rule.test(segment, next == null ? null : next.getValue())) break;
            doomed.add(segment);
        }
        if (doomed.isEmpty()) return 0;
        if (doomed.get(doomed.size() - 1) == active) roll();
        long newStart = segments.higherKey(doomed.get(doomed.size() - 1).baseOffset);
        if (newStart > logStartOffset) {
            checkpoint.write(newStart);
            logStartOffset = newStart;
        }
        for (Segment segment : doomed) {
            segments.remove(segment.baseOffset);
            LOG.info("Deleting segment {} of {}", segment.logPath.getFileName(), dir);
            segment.deleteFiles();
        }
        return doomed.size();
    }

    /**
     * The segments older than the active one whose every offset is below {@code offset}, oldest first: what
     * compaction may rewrite.
     */
    List<Segment> segmentsBelow(long offset) {
        synchronized (lock) {
            List<Segment> out = new ArrayList<>();
            Segment previous = null; // ends where the next one starts
            for (Segment s : segments.values()) {
                if (s.baseOffset > offset) break;
                if (previous != null) out.add(previous);
                previous = s;
            }
            return out;
        }
    }

    /**
     * Replaces a sealed segment with its compacted copy: .cleaned becomes .swap, the old index files go, the
     * .swap replaces the .log, and the indexes are rebuilt. The .txnindex carries over: compaction keeps the
     * abort markers (they have no key). Returns null (and drops the copy) when the segment was deleted
     * meanwhile.
     */
    Segment swapIn(Segment old, Path cleaned) throws IOException {
        synchronized (lock) {
            if (closed || segments.get(old.baseOffset) != old || old == active) {
                Files.deleteIfExists(cleaned);
                return null;
            }
            Path swap = Cleaner.markComplete(cleaned);
            old.retire();
            Files.deleteIfExists(old.offsetIndex.path);
            Files.deleteIfExists(old.timeIndex.path);
            Files.move(
                    swap,
                    old.logPath,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Segment fresh = Segment.open(dir, old.baseOffset, config, files, clock.getAsLong());
            Recovery.recover(fresh);
            fresh.flush();
            segments.put(fresh.baseOffset, fresh);
            return fresh;
        }
    }

    @Override
    public void reconfigure(LogConfig config) {
        synchronized (lock) {
            this.config = config;
        }
    }

    @Override
    public void flush() {
        synchronized (lock) {
            ensureOpen();
            flushLocked();
        }
    }

    private void flushLocked() {
        try {
            awaitRolledFlush(); // a flush covers everything appended, the rolled segment's tail included
            active.flush();
            unflushedMessages = 0;
            advanceRecoveryPoint(logEndOffset);
        } catch (IOException e) {
            throw new LogStorageException("flush of " + dir + " failed", e);
        }
    }

    @Override
    public long sizeInBytes() {
        long total = 0;
        for (Segment segment : segments.values()) total += segment.size();
        return total;
    }

    @Override
    public void delete() {
        synchronized (lock) {
            closed = true;
            segments.values().forEach(Segment::closeQuietly);
            segments.clear();
            if (recoveryPoints != null) {
                recoveryPoints.remove(dir);
                recoveryPoints.awaitWrite();
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) Files.deleteIfExists(p);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new LogStorageException("cannot delete " + dir, e);
            }
        }
    }

    /** Flushes, trims and closes every file, then marks the directory as cleanly shut down. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            IOException failure = null;
            try {
                awaitRolledFlush(); // before its channel closes under it
            } catch (IOException e) {
                failure = e;
            }
            for (Segment segment : segments.values()) {
                try {
                    segment.close();
                } catch (IOException e) {
                    if (failure == null) failure = e;
                    else failure.addSuppressed(e);
                }
            }
            if (failure == null) recoveryPoint.set(logEndOffset); // close fsynced every segment
            if (recoveryPoints != null) {
                recoveryPoints.keep(dir, recoveryPoint.get()); // written by the broker's clean shutdown
                recoveryPoints.awaitWrite(); // none runs once every log of the data dir closed
            }
            try {
                Path marker = dir.resolve(CLEAN_SHUTDOWN);
                if (failure == null && !Files.exists(marker)) Files.createFile(marker);
            } catch (IOException e) {
                failure = e;
            }
            if (failure != null)
                throw new LogStorageException("close of " + dir + " failed; it will be recovered on open", failure);
        }
    }

    private void ensureOpen() {
        if (closed) throw new LogStorageException("log " + dir + " is closed");
    }

    @Override
    public String toString() {
        return "SegmentedLog[" + dir + ", " + logStartOffset + ".." + logEndOffset + "]";
    }
}
