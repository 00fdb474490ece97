package dev.skiff.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * A sparse, sorted index file of (key, value) entries, held in heap arrays that lookups binary-search and
 * written to the file with positional writes. No memory mapping: at every flush and close a file is exactly as
 * long as its entries (nothing to pre-allocate or trim) and closing or deleting it is deterministic.
 *
 * <p>Entries reach the file a page at a time ({@link #WRITE_BYTES}), and at {@link #flush()} and
 * {@link #close()}, not one write per append: with one entry per produced batch, a write per entry cost as many
 * system calls as the log's own writes. Between flushes the file may lag the arrays; that is safe because a
 * segment's indexes are trusted at open only when it was flushed or closed cleanly, and rebuilt from the log
 * otherwise (as Kafka trusts its memory-mapped indexes only after a clean shutdown or flush).
 *
 * <p>One writer; readers may search concurrently. Arrays are swapped before {@code count} is raised, so a
 * reader that reads {@code count} first always sees arrays holding that many entries. The file writes are
 * synchronized, as a rolled segment's background flush may write the entries its last appends left.
 */
abstract class IndexFile implements Closeable {
    /** Entries are written once this many bytes of them wait (a page). */
    static final int WRITE_BYTES = 4096;

    private static final long[] NO_KEYS = {};
    private static final int[] NO_VALUES = {};
    /** Entries of a first growth: most partitions' indexes stay empty (a small segment), and keep no arrays. */
    private static final int FIRST_CAPACITY = 16;

    final Path path;
    private final CachedFileChannel channel;
    private final int entrySize;
    private final int maxEntries;
    private volatile long[] keys = NO_KEYS;
    private volatile int[] values = NO_VALUES;
    private volatile int count;
    private int written; // entries in the file; the ones from here to count are still to be written

    IndexFile(Path path, OpenFiles files, int entrySize, int maxIndexBytes) throws IOException {
        this.path = path;
        this.entrySize = entrySize;
        this.maxEntries = Math.max(1, maxIndexBytes / entrySize);
        this.channel = files.channel(
                        path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
                .touch();
    }

    /** Closes the file's descriptor until its next use. */
    void park() {
        channel.park();
    }

    abstract void encode(ByteBuffer out, long key, int value);

    abstract long decodeKey(ByteBuffer in);

    abstract int decodeValue(ByteBuffer in);
    /** Whether an entry read from disk is plausible for a segment of {@code logSize} bytes. */
    abstract boolean plausible(long key, int value, int logSize);

    int entries() {
        return count;
    }

    boolean isFull(int more) {
        return count + more > maxEntries;
    }

    long key(int i) {
        return keys[i];
    }

    int value(int i) {
        return values[i];
    }

    long lastKey() {
        int n = count;
        return n == 0 ? Long.MIN_VALUE : keys[n - 1];
    }

    /** Loads the file into memory; false when it is malformed (the caller rebuilds it). */
    boolean load(int logSize) throws IOException {
        long size = channel.size();
        // larger than the index may grow: damaged, and not worth the memory (rebuilt from the log instead)
        if (size % entrySize != 0 || size > (long) maxEntries * entrySize) return false;
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining()) if (channel.read(buf, buf.position()) < 0) return false;
        buf.flip();
        int n = (int) (size / entrySize);
        long[] k = n == 0 ? NO_KEYS : new long[n];
        int[] v = n == 0 ? NO_VALUES : new int[n];
        for (int i = 0; i < n; i++) {
            k[i] = decodeKey(buf);
            v[i] = decodeValue(buf);
            if (!plausible(k[i], v[i], logSize) || (i > 0 && (k[i] <= k[i - 1] || v[i] < v[i - 1]))) return false;
        }
        keys = k;
        values = v;
        count = n;
        written = n;
        return true;
    }

    /**
     * Appends entries, writing them to the file once a page of entries waits; when that write fails, these
     * entries are dropped again (the file and the entries are as before) and earlier waiting ones stay waiting.
     */
    synchronized void append(long[] k, int[] v, int n) throws IOException {
        if (n == 0) return;
        int before = count;
        if (before + n > keys.length) {
            int cap = Math.max(before + n, Math.max(FIRST_CAPACITY, keys.length * 2));
            values = Arrays.copyOf(values, cap);
            keys = Arrays.copyOf(keys, cap);
        }
        long[] ks = keys;
        int[] vs = values;
        for (int i = 0; i < n; i++) {
            ks[before + i] = k[i];
            vs[before + i] = v[i];
        }
        if ((long) (before + n - written) * entrySize < WRITE_BYTES) {
            count = before + n;
            return;
        }
        writeEntries(before + n);
        count = before + n;
    }

    /** Writes the entries from {@code written} up to {@code upTo} with one write; on failure the file is as before. */
    private void writeEntries(int upTo) throws IOException {
        if (upTo <= written) return;
        ByteBuffer buf = ByteBuffer.allocate((upTo - written) * entrySize);
        for (int i = written; i < upTo; i++) encode(buf, keys[i], values[i]);
        buf.flip();
        long at = (long) written * entrySize;
        try {
            while (buf.hasRemaining()) at += channel.write(buf, at);
        } catch (IOException e) {
            try {
                channel.truncate((long) written * entrySize);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        written = upTo;
    }

    /** Drops the entries from {@code n} on (undoing a failed append). */
    synchronized void truncateEntries(int n) throws IOException {
        if (n < count) count = n;
        if (n < written) written = n;
        channel.truncate((long) written * entrySize);
    }

    /** Forgets every entry (before a rebuild). */
    synchronized void reset() throws IOException {
        count = 0;
        written = 0;
        channel.truncate(0);
    }

    /** Index of the last entry whose key is <= key (or < key when strict), -1 when none. */
    int floor(long key, boolean strict) {
        int n = count;
        long[] ks = keys;
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ks[mid] < key || (!strict && ks[mid] == key)) {
                found = mid;
                lo = mid + 1;
            } else hi = mid - 1;
        }
        return found;
    }

    /** Index of the last entry whose value is <= value, -1 when none (values are sorted too). */
    int floorByValue(int value) {
        int n = count;
        int[] vs = values;
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (vs[mid] <= value) {
                found = mid;
                lo = mid + 1;
            } else hi = mid - 1;
        }
        return found;
    }

    /** Writes the waiting entries, then fsyncs the file. */
    synchronized void flush() throws IOException {
        writeEntries(count);
        channel.force(true);
    }

    /** Writes the waiting entries, then closes the file (its descriptor is closed even when the write fails). */
    @Override
    public synchronized void close() throws IOException {
        try {
            if (channel.isOpen()) writeEntries(count);
        } finally {
            channel.close();
        }
    }

    /** Closes the file without writing the waiting entries (a segment being deleted, or closed after a failure). */
    synchronized void discard() throws IOException {
        channel.close();
    }
}
