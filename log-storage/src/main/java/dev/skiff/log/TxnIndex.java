package dev.skiff.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code .txnindex}: the aborted transactions whose abort marker is in this segment, in Kafka's layout of
 * 34 bytes per entry (int16 version 0, int64 producer id, first offset, last offset, last stable offset).
 * Entries are appended with positional writes and mirrored on the heap; the file is created only with its
 * first entry, since most partitions never see an abort (a missing file is an empty index).
 *
 * <p>One writer (under the log's lock); readers may scan concurrently: the array is swapped before
 * {@code count} is raised, as in {@link IndexFile}.
 */
final class TxnIndex implements Closeable {
    static final int ENTRY = 34;
    private static final short VERSION = 0;

    final Path path;
    private final OpenFiles files;
    private CachedFileChannel channel; // null until the file exists
    private volatile AbortedTxn[] entries = new AbortedTxn[0];
    private volatile int count;
    /** The smallest first offset of any entry: lets a query skip an index none of whose transactions reach it. */
    private volatile long minFirstOffset = Long.MAX_VALUE;

    TxnIndex(Path path, OpenFiles files) throws IOException {
        this.path = path;
        this.files = files;
        if (Files.exists(path)) {
            channel = files.channel(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE))
                    .touch();
            load();
        }
    }

    /** Reads the file, keeping the entries up to the first one that is torn or of an unknown version. */
    private void load() throws IOException {
        long size = Math.min(channel.size(), (long) Integer.MAX_VALUE / ENTRY * ENTRY);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining()) if (channel.read(buf, buf.position()) < 0) break;
        buf.flip();
        AbortedTxn[] read = new AbortedTxn[buf.remaining() / ENTRY];
        int n = 0;
        while (buf.remaining() >= ENTRY) {
            short version = buf.getShort();
            AbortedTxn t = new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
            if (version != VERSION || t.firstOffset() < 0 || t.lastOffset() < t.firstOffset()) break;
            read[n++] = t;
        }
        if ((long) n * ENTRY != channel.size()) channel.truncate((long) n * ENTRY); // drop a torn tail
        entries = read;
        count = n;
        minFirstOffset = minFirst(read, n);
    }

    private static long minFirst(AbortedTxn[] es, int n) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) min = Math.min(min, es[i].firstOffset());
        return min;
    }

    int entries() {
        return count;
    }

    /** Closes the file's descriptor until its next use. */
    void park() {
        if (channel != null) channel.park();
    }

    /** Appends one entry; on failure the file and the entries are as before. */
    void append(AbortedTxn txn) throws IOException {
        if (channel == null) {
            channel = files.channel(
                            path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
                    .touch();
        }
        int before = count;
        ByteBuffer buf = encode(txn);
        long at = (long) before * ENTRY;
        try {
            while (buf.hasRemaining()) at += channel.write(buf, at);
        } catch (IOException e) {
            try {
                channel.truncate((long) before * ENTRY);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        AbortedTxn[] es = entries;
        if (before == es.length) es = Arrays.copyOf(es, Math.max(4, before * 2));
        es[before] = txn;
        entries = es;
        minFirstOffset = Math.min(minFirstOffset, txn.firstOffset());
        count = before + 1;
    }

    private static ByteBuffer encode(AbortedTxn t) {
        ByteBuffer buf = ByteBuffer.allocate(ENTRY);
        buf.putShort(VERSION)
                .putLong(t.producerId())
                .putLong(t.firstOffset())
                .putLong(t.lastOffset())
                .putLong(t.lastStableOffset());
        return buf.flip();
    }

    /** Adds to {@code out} the entries that overlap [from, to): marker at or after from, start before to. */
    void collect(long from, long to, List<AbortedTxn> out) {
        if (minFirstOffset >= to) return;
        int n = count;
        AbortedTxn[] es = entries;
        for (int i = 0; i < n; i++) {
            AbortedTxn t = es[i];
            if (t != null && t.lastOffset() >= from && t.firstOffset() < to) out.add(t);
        }
    }

    /** Keeps only the entries whose marker is below {@code end} (recovery cut the log there). */
    void truncateTo(long end) throws IOException {
        int n = count;
        AbortedTxn[] es = entries;
        AbortedTxn[] kept = new AbortedTxn[es.length];
        int k = 0;
        for (int i = 0; i < n; i++) if (es[i].lastOffset() < end) kept[k++] = es[i];
        if (k == n) return;
        // rewrite the kept entries in place, then cut the file after them
        ByteBuffer buf = ByteBuffer.allocate(k * ENTRY);
        for (int i = 0; i < k; i++) buf.put(encode(kept[i]));
        buf.flip();
        long at = 0;
        while (buf.hasRemaining()) at += channel.write(buf, at);
        channel.truncate((long) k * ENTRY);
        entries = kept;
        count = k;
        minFirstOffset = minFirst(kept, k);
    }

    void flush() throws IOException {
        if (channel != null) channel.force(true);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
    }
}
