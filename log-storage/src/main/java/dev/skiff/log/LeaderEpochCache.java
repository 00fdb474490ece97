package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which leader epoch began at which offset of a partition's log (Kafka's LeaderEpochFileCache): what a
 * leader answers to OffsetForLeaderEpoch and what a follower truncates by (KIP-101/279). Kept, when the log
 * has a directory, in Kafka's {@code leader-epoch-checkpoint} file: a version line (0), a count line, then
 * one "epoch startOffset" line per entry, replaced atomically (write temp, fsync, rename) on every change.
 */
public final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    public static final String FILE = "leader-epoch-checkpoint";
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1;

    /** One entry: {@code epoch} began with the record at {@code startOffset}. */
    public record EpochEntry(int epoch, long startOffset) {}

    private final Path file; // null: kept in memory only
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** A cache kept in memory only (the in-memory log). */
    public static LeaderEpochCache inMemory() {
        return new LeaderEpochCache(null);
    }

    /** The cache of the log in {@code dir}, read from its checkpoint file (empty when missing or unreadable). */
    public static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE));
        cache.read();
        return cache;
    }

    private void read() {
        if (!Files.exists(file)) return;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(0).trim().equals("0")) throw new IOException("bad header");
            int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || lines.size() < 2 + count) throw new IOException("fewer entries than " + count);
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split("\\s+");
                if (parts.length != 2) throw new IOException("bad line " + (i + 3));
                epochs.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable {}: {}", file, e.toString());
            epochs.clear();
        }
    }

    /**
     * Records that {@code epoch} begins at {@code startOffset}, if it is newer than the latest epoch known.
     * An entry for an older or equal epoch is ignored (batches of an epoch keep coming after its start).
     */
    public synchronized void assign(int epoch, long startOffset) {
        if (epoch < 0) return;
        if (!epochs.isEmpty() && epochs.lastKey() >= epoch) return;
        // an entry whose start is not below the new one was overwritten by the new leader's log
        epochs.values().removeIf(start -> start >= startOffset);
        epochs.put(epoch, startOffset);
        flush();
    }

    /** The latest epoch, or -1 when none is known. */
    public synchronized int latestEpoch() {
        return epochs.isEmpty() ? UNDEFINED_EPOCH : epochs.lastKey();
    }

    /** The start offset of {@code epoch}, or -1 when it has no entry. */
    public synchronized long startOffsetOf(int epoch) {
        Long start = epochs.get(epoch);
        return start == null ? UNDEFINED_OFFSET : start;
    }

    /**
     * What OffsetForLeaderEpoch answers for {@code requested}: the largest epoch at or below it and the offset
     * where the next epoch begins (the log end offset for the latest epoch); the requested epoch with the
     * first epoch's start when it is older than every entry; -1/-1 when it is newer than the latest epoch or
     * nothing is known.
     */
    public synchronized Log.EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
        if (requested < 0 || epochs.isEmpty()) return Log.EpochEndOffset.UNDEFINED;
        int latest = epochs.lastKey();
        if (requested == latest) return new Log.EpochEndOffset(latest, logEndOffset);
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requested);
        if (higher == null) return Log.EpochEndOffset.UNDEFINED;
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requested);
        return floor == null
                ? new Log.EpochEndOffset(requested, higher.getValue())
                : new Log.EpochEndOffset(floor.getKey(), higher.getValue());
    }

    /** The log was truncated to {@code endOffset}: epochs that began at or after it are gone. */
    public synchronized void truncateFromEnd(long endOffset) {
        if (epochs.values().removeIf(start -> start >= endOffset)) flush();
    }

    /**
     * The log now starts at {@code startOffset}: the epoch holding it starts there, earlier ones are gone.
     */
    public synchronized void truncateFromStart(long startOffset) {
        Map.Entry<Integer, Long> holder = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) if (e.getValue() <= startOffset) holder = e;
        if (holder == null
                || (holder.getValue() == startOffset && holder.getKey().equals(epochs.firstKey()))) return;
        int epoch = holder.getKey();
        epochs.headMap(epoch, false).clear();
        epochs.put(epoch, startOffset);
        flush();
    }

    /** Forgets every epoch (the log was emptied). */
    public synchronized void clear() {
        if (epochs.isEmpty()) return;
        epochs.clear();
        flush();
    }

    public synchronized List<EpochEntry> entries() {
        List<EpochEntry> out = new ArrayList<>();
        epochs.forEach((e, s) -> out.add(new EpochEntry(e, s)));
        return out;
    }

    private void flush() {
        if (file == null) return;
        StringBuilder text = new StringBuilder("0\n").append(epochs.size()).append('\n');
        epochs.forEach((e, s) -> text.append(e).append(' ').append(s).append('\n'));
        Path tmp = file.resolveSibling(FILE + Recovery.TMP);
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LogStorageException("cannot write " + file, e);
        }
    }
}
