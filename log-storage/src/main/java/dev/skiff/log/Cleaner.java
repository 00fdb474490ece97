package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction for {@code cleanup.policy=compact}: keeps, over the inactive segments, only the latest
 * record of each key. This module cannot decode records, so the broker supplies two callbacks: one that
 * lists the keys of a batch, one that rewrites a batch keeping only some offsets.
 *
 * <p>Each segment is rewritten to {@code .cleaned}, fsynced, renamed to {@code .swap}, and only then swapped
 * in; {@link Recovery} completes or discards whatever a crash interrupted, so no step loses data.
 *
 * <p>Transactions, as in Kafka's cleaner: only segments wholly below the caller's bound (the first offset of a
 * transaction still open) are compacted, since an open transaction may yet abort; and the data of aborted
 * transactions (known from the log's index of them) is removed and never counted as the latest record of its
 * key, so it cannot take the place of a committed record. Transaction markers are always kept.
 */
public final class Cleaner {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    /** One record of a batch: its offset, its key (null when it has none) and whether its value is null. */
    public record KeyedOffset(long offset, ByteBuffer key, boolean tombstone) {}

    /** Lists the records of one batch (the buffer holds exactly the batch). */
    @FunctionalInterface
    public interface KeyExtractor {
        List<KeyedOffset> records(ByteBuffer batch);
    }

    /**
     * Rewrites one batch keeping only the records whose offsets pass {@code keep}: returns the new batch (same
     * base offset, a valid CRC) or null to drop it. Only called when some but not all records are kept.
     */
    @FunctionalInterface
    public interface BatchRewriter {
        ByteBuffer rewrite(ByteBuffer batch, LongPredicate keep);
    }

    /** Kafka's default for log.cleaner.dedupe.buffer.size is 128 MiB; an embedded broker's heap is smaller. */
    public static final long DEFAULT_MAP_BYTES = 32L << 20;

    private final KeyExtractor keys;
    private final BatchRewriter rewriter;
    private final long maxMapBytes;

    public Cleaner(KeyExtractor keys, BatchRewriter rewriter) {
        this(keys, rewriter, DEFAULT_MAP_BYTES);
    }

    /** A cleaner whose map of keys to their latest offsets takes at most {@code maxMapBytes} per pass. */
    public Cleaner(KeyExtractor keys, BatchRewriter rewriter, long maxMapBytes) {
        this.keys = keys;
        this.rewriter = rewriter;
        this.maxMapBytes = maxMapBytes;
    }

    /**
     * What one pass did; {@code tombstonesKept} counts tombstones still too young to drop, so a caller knows
     * a later pass has work even when nothing new is appended. The pass mapped keys up to {@code mappedTo}
     * (exclusive); {@code complete} unless its map filled before the cleanable end, in which case the next pass
     * should map from {@code mappedTo} on.
     */
    public record Result(
            int segmentsCleaned,
            long bytesBefore,
            long bytesAfter,
            int tombstonesKept,
            long mappedTo,
            boolean complete) {}

    /**
     * Compacts the inactive segments of {@code log}, keeping every tombstone that is the latest of its key; for
     * a log no transaction writes to.
     */
    public Result clean(SegmentedLog log) {
        return clean(log, Long.MIN_VALUE, Long.MAX_VALUE, log.logStartOffset());
    }

    /**
     * Compacts the inactive segments of {@code log} that lie wholly below {@code cleanableBelow} (the log's first
     * unstable offset: its last stable offset, which the high watermark bounds too); appends and reads go on
     * meanwhile. The latest offset of each key is mapped from {@code mapFrom} on, until the map is full; then
     * every segment from the log's start to where the map got is rewritten without the records a later one of
     * the same key replaced. A tombstone (the latest record of its key, with a null value) is dropped as well
     * when its segment's newest timestamp is before {@code tombstoneHorizonMs} (now minus delete.retention.ms):
     * readers had that long to see the delete. Segments in which nothing would change are left untouched.
     */
    public Result clean(SegmentedLog log, long tombstoneHorizonMs, long cleanableBelow, long mapFrom) {
        List<Segment> cleanable = log.segmentsBelow(cleanableBelow);
        if (cleanable.isEmpty()) return new Result(0, 0, 0, 0, mapFrom, true);
        try {
            Aborted aborted = new Aborted(log.abortedTransactions(cleanable.get(0).baseOffset, cleanableBelow));
            OffsetMap latest = new OffsetMap(maxMapBytes);
            long[] mappedTo = {mapFrom};
            boolean[] full = {false};
            for (Segment segment : cleanable) {
                forEachBatch(segment, batch -> {
                    int at = batch.position();
                    long last = BatchHeader.baseOffset(batch, at) + BatchHeader.lastOffsetDelta(batch, at);
                    if (last < mapFrom) return true;
                    if (!aborted.contains(batch)) { // aborted data is never the latest record of a key
                        List<KeyedOffset> records = keys.records(batch.duplicate());
                        // a batch is mapped whole; the first one even past the cap, so every pass gets somewhere
                        if (latest.size() > 0 && !latest.hasRoomFor(records.size())) {
                            full[0] = true;
                            return false;
                        }
                        for (KeyedOffset r : records)
                            if (r.key() != null && r.offset() >= mapFrom) latest.put(r.key(), r.offset());
                    }
                    mappedTo[0] = last + 1;
                    return true;
                });
                if (full[0]) break;
            }
            if (full[0])
                LOG.info(
                        "Cleaning {}: {} keys fill the map; mapped up to offset {}",
                        log.dir(),
                        latest.size(),
                        mappedTo[0]);
            long before = 0, after = 0;
            int cleaned = 0;
            int[] tombstonesKept = {0};
            for (Segment segment : cleanable) {
                if (segment.baseOffset >= mappedTo[0]) break;
                before += segment.size();
                boolean dropTombstones = segment.largestTimestamp() < tombstoneHorizonMs;
                Path cleanedFile = cleanInto(segment, latest, aborted, dropTombstones, tombstonesKept);
                Segment fresh = cleanedFile == null ? null : log.swapIn(segment, cleanedFile);
                if (fresh != null) {
                    cleaned++;
                    after += fresh.size();
                } else {
                    after += segment.size();
                }
            }
            if (cleaned > 0) LOG.info("Cleaned {}: {} segments, {} -> {} bytes", log.dir(), cleaned, before, after);
            return new Result(cleaned, before, after, tombstonesKept[0], mappedTo[0], !full[0]);
        } catch (IOException e) {
            throw new LogStorageException("cleaning of " + log.dir() + " failed", e);
        }
    }

    /**
     * Writes the kept batches of one segment to its {@code .cleaned} file; null when nothing would change. A
     * record is dropped when the map holds a later offset for its key, or when it is the latest of its key, a
     * tombstone, and old enough; a key the map does not hold (written after where it got) is kept.
     */
    private Path cleanInto(
            Segment segment, OffsetMap latest, Aborted aborted, boolean dropTombstones, int[] tombstonesKept)
            throws IOException {
        Path cleaned = segment.logPath.resolveSibling(segment.logPath.getFileName() + Recovery.CLEANED);
        boolean[] changed = {false};
        try (FileChannel out = FileChannel.open(
                cleaned, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            forEachBatch(segment, batch -> {
                if (aborted.contains(batch)) {
                    changed[0] = true;
                    return true;
                }
                Set<Long> keep = new HashSet<>();
                List<KeyedOffset> records = keys.records(batch.duplicate());
                for (KeyedOffset r : records) {
                    long newest = r.key() == null ? -1 : latest.get(r.key());
                    if (newest < 0 || r.offset() > newest || (r.offset() == newest && !r.tombstone())) {
                        keep.add(r.offset());
                    } else if (r.offset() == newest && !dropTombstones) {
                        keep.add(r.offset());
                        tombstonesKept[0]++;
                    }
                }
                ByteBuffer result;
                if (keep.size() == records.size()) result = batch;
                else if (keep.isEmpty()) result = null;
                else result = rewriter.rewrite(batch.duplicate(), keep::contains);
                if (result != batch) changed[0] = true;
                if (result == null) return true;
                String problem = BatchHeader.check(result, result.position(), result.remaining(), true);
                if (problem != null || BatchHeader.totalSize(result, result.position()) != result.remaining()) {
                    throw new LogStorageException("rewritten batch at offset " + BatchHeader.baseOffset(batch, 0)
                            + " is invalid: " + problem);
                }
                ByteBuffer src = result.duplicate();
                while (src.hasRemaining()) out.write(src);
                return true;
            });
            if (changed[0]) out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(cleaned);
            throw e;
        }
        if (!changed[0]) {
            Files.deleteIfExists(cleaned);
            return null;
        }
        return cleaned;
    }

    /** The aborted transactions of the range being cleaned, by producer: which data batches they hold. */
    private static final class Aborted {
        private final Map<Long, List<AbortedTxn>> byProducer = new HashMap<>();

        Aborted(List<AbortedTxn> txns) {
            for (AbortedTxn t : txns)
                byProducer
                        .computeIfAbsent(t.producerId(), id -> new ArrayList<>())
                        .add(t);
        }

        /** Whether {@code batch} is data of an aborted transaction: between its first offset and its marker. */
        boolean contains(ByteBuffer batch) {
            if (byProducer.isEmpty()) return false;
            int at = batch.position();
            short attributes = batch.getShort(at + BatchHeader.ATTRIBUTES);
            if ((attributes & TRANSACTIONAL) == 0 || (attributes & CONTROL) != 0) return false;
            List<AbortedTxn> txns = byProducer.get(batch.getLong(at + BatchHeader.PRODUCER_ID));
            if (txns == null) return false;
            long base = BatchHeader.baseOffset(batch, at);
            for (AbortedTxn t : txns) if (t.firstOffset() <= base && base < t.lastOffset()) return true;
            return false;
        }

        private static final int TRANSACTIONAL = 0x10, CONTROL = 0x20;
    }

    private interface BatchConsumer {
        /** Takes one batch; false stops the reading. */
        boolean accept(ByteBuffer batch) throws IOException;
    }

    /** Reads the batches of a sealed segment, each into its own buffer, until the consumer says stop. */
    private static void forEachBatch(Segment segment, BatchConsumer consumer) throws IOException {
        int limit = segment.size();
        ByteBuffer header = Segment.newHeaderBuffer();
        for (int pos = 0; pos < limit; ) {
            segment.readHeader(header, pos, limit);
            int size = BatchHeader.totalSize(header, 0);
            ByteBuffer batch = ByteBuffer.allocate(size);
            while (batch.hasRemaining())
                if (segment.channel.read(batch, pos + batch.position()) < 0) throw new IOException("short read");
            if (!consumer.accept(batch.flip())) return;
            pos += size;
        }
    }

    /** Renames a finished {@code .cleaned} file to {@code .swap}: from now on recovery completes the swap. */
    static Path markComplete(Path cleaned) throws IOException {
        String name = cleaned.getFileName().toString();
        Path swap =
                cleaned.resolveSibling(name.substring(0, name.length() - Recovery.CLEANED.length()) + Recovery.SWAP);
        return Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
    }
}
