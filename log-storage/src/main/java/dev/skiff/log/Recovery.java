package dev.skiff.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Brings a partition directory back to a consistent state after a crash or an unclean stop. */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    static final String DELETED = ".deleted", CLEANED = ".cleaned", SWAP = ".swap", TMP = ".tmp";

    private Recovery() {}

    /**
     * Validates every batch of the segment (framing, magic 2, offsets moving forward, CRC32C), truncates the
     * file at the first bad one and rebuilds both indexes. Returns the number of bytes cut.
     */
    static long recover(Segment segment) throws IOException {
        long fileSize = segment.channel.size();
        int limit = (int) Math.min(fileSize, Integer.MAX_VALUE);
        Segment.IndexEntries entries = segment.startRebuild();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int pos = 0;
        long next = segment.baseOffset, firstTimestamp = -1;
        String problem = null;
        while (pos < limit) {
            ByteBuffer header = read(segment, ByteBuffer.allocate(BatchHeader.SIZE), pos, Math.min(BatchHeader.SIZE, limit - pos));
            problem = BatchHeader.check(header, 0, limit - pos, false);
            if (problem != null) break;
            int total = BatchHeader.totalSize(header, 0);
            if (buf.capacity() < total) buf = ByteBuffer.allocate(Math.max(total, buf.capacity() * 2));
            ByteBuffer batch = read(segment, buf, pos, total);
            problem = BatchHeader.check(batch, 0, total, true);
            long base = BatchHeader.baseOffset(batch, 0);
            long last = base + BatchHeader.lastOffsetDelta(batch, 0);
            if (problem == null && base < next) problem = "base offset " + base + " below the expected " + next;
            if (problem == null && last - segment.baseOffset > Integer.MAX_VALUE) problem = "offset " + last + " too far from the segment base";
            if (problem != null) break;
            long ts = BatchHeader.maxTimestamp(batch, 0);
            if (pos == 0) firstTimestamp = ts;
            entries.add(pos, base, ts, total);
            next = last + 1;
            pos += total;
        }
        long cut = fileSize - pos;
        if (cut > 0) {
            LOG.warn("Truncating {} at position {}, removing {} bytes: {}", segment.logPath, pos, cut,
                    problem != null ? problem : "file larger than 2 GiB");
            segment.truncateFile(pos);
        }
        segment.finishRebuild(entries, pos, next, firstTimestamp);
        return cut;
    }

    private static ByteBuffer read(Segment segment, ByteBuffer buf, int pos, int length) throws IOException {
        buf.clear().limit(length);
        while (buf.hasRemaining()) {
            if (segment.channel.read(buf, pos + buf.position()) < 0) break;
        }
        buf.flip();
        return buf;
    }

    /**
     * Finishes or undoes what a crash interrupted: deleted and half-cleaned files are removed, a complete
     * {@code .swap} replaces its segment (its index files are then rebuilt; its {@code .txnindex} stays, as
     * compaction keeps the markers, which have no key), temp files and index files without a log are removed.
     */
    static void cleanDirectory(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) files.add(p);
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (name.endsWith(DELETED) || name.endsWith(CLEANED) || name.endsWith(TMP)) {
                LOG.info("Removing leftover file {}", p);
                Files.deleteIfExists(p);
            } else if (name.endsWith(Segment.LOG + SWAP)) {
                Path target = p.resolveSibling(name.substring(0, name.length() - SWAP.length()));
                String stem = name.substring(0, name.length() - (Segment.LOG + SWAP).length());
                LOG.info("Completing interrupted segment swap {}", p);
                Files.move(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(dir.resolve(stem + Segment.INDEX));
                Files.deleteIfExists(dir.resolve(stem + Segment.TIME_INDEX));
            } else if (name.endsWith(SWAP)) {
                Files.deleteIfExists(p);
            }
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            String stem = stemOf(name, Segment.INDEX);
            if (stem == null) stem = stemOf(name, Segment.TIME_INDEX);
            if (stem == null) stem = stemOf(name, Segment.TXN_INDEX);
            if (stem != null && !Files.exists(dir.resolve(stem + Segment.LOG))) {
                LOG.info("Removing index without segment {}", p);
                Files.deleteIfExists(p);
            }
        }
    }

    private static String stemOf(String name, String suffix) {
        return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
    }

    /** Base offset of a segment file name like 00000000000000000042.log, or -1 when it is not one. */
    static long baseOffsetOf(String fileName) {
        if (!fileName.endsWith(Segment.LOG) || fileName.length() != 20 + Segment.LOG.length()) return -1;
        String digits = fileName.substring(0, 20);
        for (int i = 0; i < digits.length(); i++) if (!Character.isDigit(digits.charAt(i))) return -1;
        return Long.parseLong(digits);
    }
}
