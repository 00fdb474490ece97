package dev.skiff.log;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open descriptors of every segment and index file of a broker, capped: files are opened on first use and
 * the least recently used are closed when the cap is reached (a clock sweep, so a read or write only sets a
 * flag and never takes a shared lock). A file in the middle of an operation is closed when it ends, so the
 * count can pass the cap by at most the number of operations running at that moment.
 *
 * <p>Without this, every partition held three descriptors for as long as the broker ran, and tens of
 * thousands of partitions (or one Metadata request naming thousands of new topics) ran the process out of them.
 */
public final class OpenFiles {

    /** Used when no cap is configured: a quarter of the process's descriptor limit, between 64 and 4096. */
    public static int defaultMaxOpen() {
        long limit = descriptorLimit() / 4;
        return (int) Math.max(64, Math.min(4096, limit));
    }

    /**
     * The process's open-file limit: from {@code /proc/self/limits} where there is one (Linux), as the platform
     * MXBean reads it elsewhere. The MXBean's class loading and initialisation cost a start ~20 ms; the file
     * costs one read.
     */
    static long descriptorLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max open files")) continue;
                String[] words =
                        line.substring("Max open files".length()).trim().split("\\s+");
                return words[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(words[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format this does not know: ask the JVM
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) return unix.getMaxFileDescriptorCount();
        return 16384;
    }

    private final FileChannelFactory files;
    private final int maxOpen;
    /** Files whose descriptor is open and may be closed to make room, oldest admitted first (the clock). */
    private final LinkedHashSet<CachedFileChannel> clock = new LinkedHashSet<>();

    private final AtomicInteger open = new AtomicInteger();

    public OpenFiles(FileChannelFactory files, int maxOpen) {
        if (maxOpen < 1) throw new IllegalArgumentException("maxOpen must be positive: " + maxOpen);
        this.files = files;
        this.maxOpen = maxOpen;
    }

    public int maxOpen() {
        return maxOpen;
    }

    FileChannelFactory files() {
        return files;
    }

    /** Descriptors open right now (those closable, plus those pinned by retired segments or busy). */
    public int openCount() {
        return open.get();
    }

    /** A channel over {@code path} that opens (with {@code options}) on first use; nothing is opened yet. */
    CachedFileChannel channel(Path path, Set<? extends OpenOption> options) {
        return new CachedFileChannel(this, path, options);
    }

    /** Opens the descriptor of {@code c} (closing others when at the cap) and marks it busy. */
    FileChannel admit(CachedFileChannel c) throws IOException {
        synchronized (this) {
            makeRoom();
            FileChannel ch = c.attach(files);
            if (c.closable()) clock.add(c);
            return ch;
        }
    }

    private void makeRoom() {
        int sweeps = 2 * clock.size();
        while (clock.size() >= maxOpen && sweeps-- > 0) {
            CachedFileChannel c = clock.iterator().next();
            clock.remove(c);
            if (c.referenced) {
                c.referenced = false; // used since the last sweep: a second chance, at the back of the clock
                clock.add(c);
            } else {
                c.evict();
            }
        }
    }

    /** Takes {@code c} out of the clock: it is closing, or retired and must stay open as it is. */
    synchronized void forget(CachedFileChannel c) {
        clock.remove(c);
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }
}
