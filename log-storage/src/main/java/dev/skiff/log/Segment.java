package dev.skiff.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * One segment: a {@code .log} file of whole batches plus its offset and time indexes and the index of the
 * aborted transactions whose markers it holds.
 *
 * <p>One writer (under the log's lock) and any number of readers. The writer publishes {@code size} after the
 * bytes and index entries are written, so readers bound every scan by a size that ends on a batch boundary.
 */
final class Segment implements Closeable {
    static final String LOG = ".log", INDEX = ".index", TIME_INDEX = ".timeindex", TXN_INDEX = ".txnindex";

    final long baseOffset;
    final Path logPath;
    final CachedFileChannel channel;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    final TxnIndex txnIndex;
    private final int indexIntervalBytes;
    private final long createdMs;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1;
    private volatile long offsetOfMaxTimestamp = -1;
    private long firstBatchTimestamp = -1;
    private int bytesSinceLastIndexEntry;
    /** Whether both index files were there when the segment was opened (else they must be rebuilt). */
    final boolean indexFilesExisted;

    private Segment(Path dir, long baseOffset, LogConfig config, OpenFiles files, long nowMs, Set<String> present)
            throws IOException {
        this.baseOffset = baseOffset;
        this.logPath = dir.resolve(fileName(baseOffset, LOG));
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.createdMs = nowMs;
        this.nextOffset = baseOffset;
        this.indexFilesExisted = present != null
                ? present.contains(fileName(baseOffset, INDEX)) && present.contains(fileName(baseOffset, TIME_INDEX))
                : Files.exists(dir.resolve(fileName(baseOffset, INDEX)))
                        && Files.exists(dir.resolve(fileName(baseOffset, TIME_INDEX)));
        CachedFileChannel ch = files.channel(
                        logPath, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
                .touch();
        OffsetIndex oi = null;
        TimeIndex ti = null;
        try {
            oi = new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX)), files, config.maxIndexBytes());
            ti = new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX)), files, config.maxIndexBytes());
            this.txnIndex = new TxnIndex(dir.resolve(fileName(baseOffset, TXN_INDEX)), files);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (oi != null) oi.close();
            if (ti != null) ti.close();
            throw e;
        }
        this.timeIndex = ti;
        this.channel = ch;
        this.offsetIndex = oi;
    }

    /** Opens (creating when missing) the files of the segment; its state is set by load or recovery. */
    static Segment open(Path dir, long baseOffset, LogConfig config, OpenFiles files, long nowMs) throws IOException {
        return new Segment(dir, baseOffset, config, files, nowMs, null);
    }

    /** As {@link #open}, with the names of the files in {@code dir} already listed (a log being loaded). */
    static Segment open(Path dir, long baseOffset, LogConfig config, OpenFiles files, long nowMs, Set<String> present)
            throws IOException {
        return new Segment(dir, baseOffset, config, files, nowMs, present);
    }

    static String fileName(long baseOffset, String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    int size() {
        return size;
    }

    long nextOffset() {
        return nextOffset;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    /** When segment.ms counts from: the first batch's timestamp, else the segment's creation. */
    long rollingBaseTimestamp() {
        return firstBatchTimestamp >= 0 ? firstBatchTimestamp : createdMs;
    }

    /**
     * How long this segment has been open, as Kafka measures it for segment.ms: by record time (the incoming
     * timestamp against the first batch's) when batches carry timestamps, so producers whose clocks are off do
     * not make every append roll; by wall clock since creation otherwise.
     */
    long ageForRoll(long nowMs, long incomingTimestamp) {
        return firstBatchTimestamp >= 0 ? incomingTimestamp - firstBatchTimestamp : nowMs - createdMs;
    }

    /** The newest timestamp for time retention: the largest batch timestamp, else the file's mtime. */
    long largestTimestamp() {
        return maxTimestamp >= 0 ? maxTimestamp : lastModified();
    }

    long lastModified() {
        try {
            return Files.getLastModifiedTime(logPath).toMillis();
        } catch (IOException e) {
            return createdMs;
        }
    }

    boolean indexesFull(int batches) {
        return offsetIndex.isFull(batches) || timeIndex.isFull(batches + 1);
    }

    // ---- writing ----------------------------------------------------------------------------------------

    /** Appends the batches with one write; on failure the file and indexes are left as they were. */
    void append(AppendBatches batches) throws IOException {
        int start = size;
        IndexEntries entries = new IndexEntries();
        for (int i = 0; i < batches.count; i++) {
            entries.add(
                    start + batches.relativePosition[i],
                    batches.baseOffset[i],
                    batches.maxTimestamp[i],
                    batches.size[i]);
        }
        ByteBuffer src = batches.data.duplicate();
        long at = start;
        int indexBefore = offsetIndex.entries();
        try {
            while (src.hasRemaining()) at += channel.write(src, at);
            offsetIndex.append(entries.offsetKeys, entries.offsetValues, entries.offsetCount);
            timeIndex.append(entries.timeKeys, entries.timeValues, entries.timeCount);
        } catch (IOException | RuntimeException e) {
            try {
                channel.truncate(start);
                offsetIndex.truncateEntries(indexBefore);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // later appends overwrite from `size` anyway
            }
            throw e;
        }
        if (start == 0) firstBatchTimestamp = batches.maxTimestamp[0];
        entries.commit();
        nextOffset = batches.lastOffset + 1;
        size = start + batches.totalBytes();
    }

    /**
     * Index entries for a run of batches, computed against a copy of the segment's index state so that
     * nothing changes when the write fails.
     */
    final class IndexEntries {
        long[] offsetKeys = new long[4], timeKeys = new long[4];
        int[] offsetValues = new int[4], timeValues = new int[4];
        int offsetCount, timeCount;
        private int bytesSince = bytesSinceLastIndexEntry;
        private long maxTs = maxTimestamp, offsetOfMaxTs = offsetOfMaxTimestamp;
        private long lastTimeKey = timeIndex.lastKey();

        void add(int position, long batchBaseOffset, long batchMaxTimestamp, int batchSize) {
            if (bytesSince > indexIntervalBytes) {
                addOffsetEntry(batchBaseOffset - baseOffset, position);
                maybeAddTimeEntry();
                bytesSince = 0;
            }
            if (batchMaxTimestamp > maxTs) {
                maxTs = batchMaxTimestamp;
                offsetOfMaxTs = batchBaseOffset;
            }
            bytesSince += batchSize;
        }

        /** A last time entry for the segment's largest timestamp (on roll and close). */
        void maybeAddTimeEntry() {
            if (maxTs >= 0 && maxTs > lastTimeKey) {
                if (timeCount == timeKeys.length) {
                    timeKeys = Arrays.copyOf(timeKeys, timeCount * 2);
                    timeValues = Arrays.copyOf(timeValues, timeCount * 2);
                }
                timeKeys[timeCount] = maxTs;
                timeValues[timeCount++] = (int) (offsetOfMaxTs - baseOffset);
                lastTimeKey = maxTs;
            }
        }

        private void addOffsetEntry(long relativeOffset, int position) {
            if (offsetCount == offsetKeys.length) {
                offsetKeys = Arrays.copyOf(offsetKeys, offsetCount * 2);
                offsetValues = Arrays.copyOf(offsetValues, offsetCount * 2);
            }
            offsetKeys[offsetCount] = relativeOffset;
            offsetValues[offsetCount++] = position;
        }

        void commit() {
            bytesSinceLastIndexEntry = bytesSince;
            // readers read maxTimestamp then the offset: write the offset first
            offsetOfMaxTimestamp = offsetOfMaxTs;
            maxTimestamp = maxTs;
        }
    }

    /** Writes a final time index entry for the largest timestamp, so a reopen knows it without a scan. */
    void finishTimeIndex() throws IOException {
        IndexEntries e = new IndexEntries();
        e.maybeAddTimeEntry();
        timeIndex.append(e.timeKeys, e.timeValues, e.timeCount);
    }

    void flush() throws IOException {
        channel.force(true);
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    // ---- loading and recovery ---------------------------------------------------------------------------

    /** Forgets all state before a rebuild by {@link Recovery}. */
    IndexEntries startRebuild() throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        size = 0;
        nextOffset = baseOffset;
        maxTimestamp = -1;
        offsetOfMaxTimestamp = -1;
        firstBatchTimestamp = -1;
        bytesSinceLastIndexEntry = 0;
        return new IndexEntries();
    }

    /** Ends a rebuild: the first {@code validSize} bytes hold whole batches up to {@code next}. */
    void finishRebuild(IndexEntries entries, int validSize, long next, long firstTimestamp) throws IOException {
        entries.maybeAddTimeEntry();
        offsetIndex.append(entries.offsetKeys, entries.offsetValues, entries.offsetCount);
        timeIndex.append(entries.timeKeys, entries.timeValues, entries.timeCount);
        entries.commit();
        firstBatchTimestamp = firstTimestamp;
        nextOffset = next;
        size = validSize;
    }

    /**
     * Trusts the index files of a cleanly written segment: loads them and walks the batch headers after the
     * last offset index entry to find the end offset. False when anything does not add up (then recover).
     */
    boolean loadFromIndexes() throws IOException {
        if (!indexFilesExisted) return false;
        long fileSize = channel.size();
        if (fileSize > Integer.MAX_VALUE) return false;
        int logSize = (int) fileSize;
        if (!offsetIndex.load(Math.max(logSize, 1)) || !timeIndex.load(logSize)) return false;
        if (logSize == 0) {
            if (offsetIndex.entries() > 0 || timeIndex.entries() > 0) return false;
            size = 0;
            return true;
        }
        ByteBuffer header = newHeaderBuffer();
        if (!readHeader(header, 0, logSize)) return false;
        long first = BatchHeader.baseOffset(header, 0);
        if (first < baseOffset) return false;
        long firstTs = BatchHeader.maxTimestamp(header, 0);
        int n = offsetIndex.entries();
        int pos = n == 0 ? 0 : offsetIndex.value(n - 1);
        long next = baseOffset;
        int lastEntryPos = pos;
        while (pos < logSize) {
            if (!readHeader(header, pos, logSize)) return false;
            if (BatchHeader.check(header, 0, logSize - pos, false) != null) return false;
            next = BatchHeader.baseOffset(header, 0) + BatchHeader.lastOffsetDelta(header, 0) + 1;
            pos += BatchHeader.totalSize(header, 0);
        }
        if (pos != logSize) return false;
        int t = timeIndex.entries();
        if (t > 0) {
            offsetOfMaxTimestamp = baseOffset + timeIndex.value(t - 1);
            maxTimestamp = timeIndex.key(t - 1);
            if (offsetOfMaxTimestamp >= next) return false;
        }
        bytesSinceLastIndexEntry = logSize - lastEntryPos;
        firstBatchTimestamp = firstTs;
        nextOffset = next;
        size = logSize;
        return true;
    }

    // ---- reading ----------------------------------------------------------------------------------------

    static ByteBuffer newHeaderBuffer() {
        return ByteBuffer.allocate(BatchHeader.SIZE);
    }

    /** Reads the 61-byte header at {@code pos} into {@code header} (at index 0); false if it does not fit. */
    boolean readHeader(ByteBuffer header, int pos, int limit) throws IOException {
        if (limit - pos < BatchHeader.SIZE) return false;
        header.clear();
        while (header.hasRemaining()) {
            if (channel.read(header, pos + header.position()) < 0) return false;
        }
        return true;
    }

    /** The whole size of the batch whose header is read at {@code pos}, or -1 when no sound batch starts there. */
    private int headerAt(ByteBuffer header, int pos, int limit) throws IOException {
        if (!readHeader(header, pos, limit)) return -1;
        return BatchHeader.check(header, 0, limit - pos, false) == null ? BatchHeader.totalSize(header, 0) : -1;
    }

    private static final int DAMAGED = -2;

    /**
     * Position of the first batch from {@code from} whose last offset is >= {@code offset} (its header left in
     * {@code header}), -1 when none, or DAMAGED when a header does not add up or the batch at an indexed
     * {@code from} starts past the offset. Each step moves forward by at least a header: it never spins.
     */
    private int batchHolding(ByteBuffer header, long offset, int from, int limit) throws IOException {
        int pos = from;
        while (pos < limit) {
            int batchSize = headerAt(header, pos, limit);
            if (batchSize < 0) return DAMAGED;
            if (pos == from && from > 0 && BatchHeader.baseOffset(header, 0) > offset) return DAMAGED;
            if (BatchHeader.baseOffset(header, 0) + BatchHeader.lastOffsetDelta(header, 0) >= offset) return pos;
            pos += batchSize;
        }
        return -1;
    }

    /** As {@link #batchHolding} from the index's position; a damaged index entry costs a scan from the start. */
    private int findBatch(ByteBuffer header, long offset, int limit) throws IOException {
        int indexed = Math.min(offsetIndex.positionFor(offset - baseOffset), limit);
        int pos = batchHolding(header, offset, indexed, limit);
        if (pos == DAMAGED && indexed > 0) pos = batchHolding(header, offset, 0, limit);
        if (pos == DAMAGED)
            throw new LogStorageException("damaged batch header in " + logPath + " before offset " + offset);
        return pos;
    }

    /**
     * Whole batches from the one holding {@code offset}, up to maxBytes; null when this segment has no batch
     * at or after the offset.
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch) throws IOException {
        int limit = size;
        ByteBuffer header = newHeaderBuffer();
        int pos = findBatch(header, offset, limit);
        if (pos < 0) return null;
        int firstSize = BatchHeader.totalSize(header, 0);
        channel.handedOut();
        if (firstSize > maxBytes) return minOneBatch ? LogSlice.ofFile(channel, pos, firstSize) : LogSlice.EMPTY;
        long maxEnd = Math.min((long) pos + maxBytes, limit);
        // jump over whole indexed stretches instead of reading every header in between
        int end = pos + firstSize;
        int sizeAtEnd = -1; // the size of the batch at `end` when its header was read already
        int i = offsetIndex.floorByValue((int) maxEnd);
        if (i >= 0) {
            int indexed = offsetIndex.value(i);
            // only to a position where the entry's batch really starts: a damaged entry must not cut a batch
            if (indexed > end && indexed == maxEnd) end = indexed;
            else if (indexed > end && indexed < maxEnd) {
                int size = headerAt(header, indexed, limit);
                if (size > 0 && BatchHeader.baseOffset(header, 0) == baseOffset + offsetIndex.key(i)) {
                    end = indexed;
                    sizeAtEnd = size;
                }
            }
        }
        // a batch is never empty, so none fits once the slice has reached maxBytes
        while (end < limit && end < maxEnd) {
            int batchSize = sizeAtEnd >= 0 ? sizeAtEnd : headerAt(header, end, limit);
            sizeAtEnd = -1;
            if (batchSize < 0 || end + (long) batchSize > maxEnd) break;
            end += batchSize;
        }
        return LogSlice.ofFile(channel, pos, end - pos);
    }

    /** The first batch with max timestamp >= timestamp whose last offset is >= minOffset, or null. */
    Log.TimestampOffset findTimestamp(long timestamp, long minOffset) throws IOException {
        int limit = size;
        if (maxTimestamp < timestamp) return null;
        long startRelative = Math.max(timeIndex.scanStartFor(timestamp), Math.max(0, minOffset - baseOffset));
        ByteBuffer header = newHeaderBuffer();
        int pos = Math.min(offsetIndex.positionFor(startRelative), limit);
        boolean fromStart = pos == 0;
        while (pos < limit) {
            int batchSize = headerAt(header, pos, limit);
            if (batchSize < 0 && !fromStart) {
                pos = 0; // a damaged index entry: scan from the start instead
                fromStart = true;
                continue;
            }
            if (batchSize < 0) throw new LogStorageException("damaged batch header in " + logPath + " at " + pos);
            long base = BatchHeader.baseOffset(header, 0);
            long last = base + BatchHeader.lastOffsetDelta(header, 0);
            long ts = BatchHeader.maxTimestamp(header, 0);
            if (last >= minOffset && ts >= timestamp) return new Log.TimestampOffset(ts, Math.max(base, minOffset));
            pos += batchSize;
        }
        return null;
    }

    // ---- lifecycle --------------------------------------------------------------------------------------

    /** Flushes, records the final time entry and drops any bytes past the published size. */
    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen()) {
                finishTimeIndex();
                if (channel.size() > size) channel.truncate(size);
                flush();
            }
        } finally {
            closeQuietly();
        }
    }

    /** Closes the descriptors of the segment's files until they are next used (a loaded log, not yet read). */
    void parkFiles() {
        channel.park();
        offsetIndex.park();
        timeIndex.park();
        txnIndex.park();
    }

    void closeQuietly() {
        closeQuietly(channel::close);
        closeIndexesQuietly();
    }

    private void closeIndexesQuietly() {
        closeQuietly(offsetIndex::close);
        closeQuietly(timeIndex::close);
        closeQuietly(txnIndex::close);
    }

    private static void closeQuietly(java.io.Closeable file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // closing is all that is left to do with it; a failure changes nothing for the data
        }
    }

    /**
     * Takes this segment out of service: the indexes close now, the log's channel only after a delay when a
     * response may still be sending a region of it (see {@link CachedFileChannel#retire()}).
     */
    void retire() {
        // never sent with sendfile: no delay needed; entries still waiting to be written are of no more use
        closeQuietly(offsetIndex::discard);
        closeQuietly(timeIndex::discard);
        closeQuietly(txnIndex::close);
        channel.retire();
    }

    /** Retires the segment and removes its files; the log file goes first so a crash leaves only orphan indexes. */
    void deleteFiles() throws IOException {
        retire();
        Files.deleteIfExists(logPath);
        Files.deleteIfExists(offsetIndex.path);
        Files.deleteIfExists(timeIndex.path);
        Files.deleteIfExists(txnIndex.path);
    }

    /**
     * Cuts the batch holding {@code offset} and everything after it, then rebuilds the indexes and the state
     * from what is left.
     */
    void truncateTo(long offset) throws IOException {
        int pos = findBatch(newHeaderBuffer(), offset, size);
        if (pos < 0) return;
        truncateFile(pos);
        Recovery.recover(this);
        txnIndex.truncateTo(nextOffset);
    }

    void truncateFile(int validSize) throws IOException {
        channel.truncate(validSize);
    }

    @Override
    public String toString() {
        return logPath.getFileName() + "[size=" + size + ", next=" + nextOffset + "]";
    }
}
