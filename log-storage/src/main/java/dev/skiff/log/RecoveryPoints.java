package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery points of the logs of one data dir, in Kafka's {@code recovery-point-offset-checkpoint} file:
 * a text file of a version line ({@code 0}), a count line, then one {@code <topic> <partition> <offset>} line
 * per partition. A log's recovery point is the offset below which everything was fsynced; after an unclean
 * stop, recovery starts at the segment that holds it instead of at the last two segments.
 *
 * <p>Logs report their point after each flush (and at close); the file is then rewritten on
 * {@link RolledSegmentFlusher}'s thread, one write for however many reports came meanwhile, atomically
 * (temp file, fsync, rename). A file that does not parse is ignored with a warning: every log is then
 * recovered as if it had no point. Partition directories are Kafka's {@code <topic>-<partition>}.
 */
public final class RecoveryPoints {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoints.class);
    public static final String FILE = "recovery-point-offset-checkpoint";
    /** A larger file is not read (10,000 partitions take well under 1 MiB). */
    static final long MAX_BYTES = 64L << 20;

    private final Path dataDir;
    private final Path file;
    /** Points read at start, by partition directory name; a log takes its own once, when it opens. */
    private final Map<String, Long> loaded;
    /** Current points, by partition directory name. */
    private final Map<String, Long> points = new ConcurrentHashMap<>();

    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    /** The last write scheduled; a closing log waits for it, so nothing is written once every log closed. */
    private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    private final Object writeLock = new Object();

    public RecoveryPoints(Path dataDir) {
        this.dataDir = dataDir;
        this.file = dataDir.resolve(FILE);
        this.loaded = read(file);
    }

    /** The point saved for the log in {@code logDir}, or -1 when the file has none for it. */
    long saved(Path logDir) {
        Long p = loaded.get(logDir.getFileName().toString());
        return p == null ? -1 : p;
    }

    /** The log in {@code logDir} has everything below {@code offset} on disk; the file follows soon. */
    void update(Path logDir, long offset) {
        String key = logDir.getFileName().toString();
        if (partitionOf(key) < 0) return; // not a <topic>-<partition> directory: nothing Kafka's layout can hold
        Long before = points.put(key, offset);
        if (before == null || before != offset) scheduleWrite();
    }

    /**
     * The log in {@code logDir} opened (or closed) with everything below {@code offset} on disk: kept for the
     * next write, which it does not cause (a start rewrites nothing; a clean shutdown writes once, at its end).
     */
    void keep(Path logDir, long offset) {
        String key = logDir.getFileName().toString();
        if (partitionOf(key) >= 0) points.put(key, offset);
    }

    /** The log in {@code logDir} was deleted: the next write leaves it out. */
    void remove(Path logDir) {
        points.remove(logDir.getFileName().toString());
    }

    private void scheduleWrite() {
        if (writeScheduled.compareAndSet(false, true)) {
            pending = CompletableFuture.runAsync(
                    () -> {
                        writeScheduled.set(false);
                        writeQuietly();
                    },
                    RolledSegmentFlusher.executor());
        }
    }

    /** Waits for the write scheduled last (a log closing). */
    void awaitWrite() {
        try {
            pending.join();
        } catch (RuntimeException e) {
            // written quietly: nothing is thrown
        }
    }

    /** Writes the file now (a clean shutdown, after every log closed). */
    public void writeNow() {
        awaitWrite();
        writeQuietly();
    }

    private void writeQuietly() {
        try {
            write();
        } catch (IOException e) {
            LOG.warn("Cannot write {}: {}", file, e.toString());
        }
    }

    private void write() throws IOException {
        synchronized (writeLock) {
            Map<String, Long> sorted = new TreeMap<>(points);
            StringBuilder text = new StringBuilder("0\n").append(sorted.size()).append('\n');
            sorted.forEach((dir, offset) -> {
                int dash = dir.lastIndexOf('-');
                text.append(dir, 0, dash)
                        .append(' ')
                        .append(dir.substring(dash + 1))
                        .append(' ')
                        .append(offset)
                        .append('\n');
            });
            if (!Files.isDirectory(dataDir)) return; // the data dir went (a test's cleanup): nothing to keep
            Path tmp = file.resolveSibling(FILE + Recovery.TMP);
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The points of the file, by partition directory name; empty (with a warning) when it does not parse. */
    static Map<String, Long> read(Path file) {
        Map<String, Long> out = new ConcurrentHashMap<>();
        try {
            if (!Files.exists(file)) return out;
            if (Files.size(file) > MAX_BYTES) {
                LOG.warn("Ignoring {}: {} bytes is more than {}", file, Files.size(file), MAX_BYTES);
                return out;
            }
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
            if (lines.length < 2 || !lines[0].trim().equals("0")) throw new IllegalArgumentException("bad header");
            int count = Integer.parseInt(lines[1].trim());
            if (count < 0 || count != lines.length - 2) throw new IllegalArgumentException("count " + count);
            for (int i = 2; i < lines.length; i++) {
                String[] f = lines[i].trim().split(" ");
                if (f.length != 3) throw new IllegalArgumentException("line " + (i + 1));
                int partition = Integer.parseInt(f[1]);
                long offset = Long.parseLong(f[2]);
                if (f[0].isEmpty() || partition < 0 || offset < 0)
                    throw new IllegalArgumentException("line " + (i + 1));
                out.put(f[0] + "-" + partition, offset);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable {} (every log recovers as without it): {}", file, e.toString());
            return new ConcurrentHashMap<>();
        }
    }

    private static int partitionOf(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1) return -1;
        try {
            return Integer.parseInt(dirName.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
