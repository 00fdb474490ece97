package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        ByteBuffer header = ByteBuffer.allocate(BatchHeader.SIZE);
        // the CRC is computed in chunks: a length read off the disk never decides how much memory is taken
        ByteBuffer chunk = ByteBuffer.allocate(CRC_CHUNK);
        int pos = 0;
        long next = segment.baseOffset, firstTimestamp = -1;
        String problem = null;
        while (pos < limit) {
            read(segment, header, pos, Math.min(BatchHeader.SIZE, limit - pos));
            // bounds the claimed length by the bytes left in the file
            problem = BatchHeader.check(header, 0, limit - pos, false);
            if (problem != null) break;
            int total = BatchHeader.totalSize(header, 0);
            if (crc(segment, chunk, pos, total) != BatchHeader.storedCrc(header, 0)) problem = "CRC32C mismatch";
            long base = BatchHeader.baseOffset(header, 0);
            long last = base + BatchHeader.lastOffsetDelta(header, 0);
            if (problem == null && base < next) problem = "base offset " + base + " below the expected " + next;
            if (problem == null && last - segment.baseOffset > Integer.MAX_VALUE)
                problem = "offset " + last + " too far from the segment base";
            if (problem != null) break;
            long ts = BatchHeader.maxTimestamp(header, 0);
            if (pos == 0) firstTimestamp = ts;
            entries.add(pos, base, ts, total);
            next = last + 1;
            pos += total;
        }
        long cut = fileSize - pos;
        if (cut > 0) {
            LOG.warn(
                    "Truncating {} at position {}, removing {} bytes: {}",
                    segment.logPath,
                    pos,
                    cut,
                    problem != null ? problem : "file larger than 2 GiB");
            segment.truncateFile(pos);
        }
        segment.finishRebuild(entries, pos, next, firstTimestamp);
        return cut;
    }

    static final int CRC_CHUNK = 64 * 1024;

    /** CRC32C of attributes..end of the batch at {@code pos} of {@code total} bytes, read a chunk at a time. */
    private static long crc(Segment segment, ByteBuffer chunk, int pos, int total) throws IOException {
        CRC32C crc = new CRC32C();
        long at = pos + (long) BatchHeader.ATTRIBUTES;
        long end = pos + (long) total;
        while (at < end) {
            read(segment, chunk, at, (int) Math.min(chunk.capacity(), end - at));
            if (!chunk.hasRemaining()) break; // the file ended early: the CRC will not match
            at += chunk.remaining();
            crc.update(chunk);
        }
        return crc.getValue();
    }

    private static ByteBuffer read(Segment segment, ByteBuffer buf, long pos, int length) throws IOException {
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
     * Returns the names of the files left, so that opening the log lists its directory only once (with ten
     * thousand partitions, listing each directory four times was most of a start's time).
     */
    static Set<String> cleanDirectory(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) names.add(p.getFileName().toString());
        }
        for (String name : List.copyOf(names)) {
            Path p = dir.resolve(name);
            if (name.endsWith(DELETED) || name.endsWith(CLEANED) || name.endsWith(TMP)) {
                LOG.info("Removing leftover file {}", p);
                Files.deleteIfExists(p);
                names.remove(name);
            } else if (name.endsWith(Segment.LOG + SWAP)) {
                String target = name.substring(0, name.length() - SWAP.length());
                String stem = name.substring(0, name.length() - (Segment.LOG + SWAP).length());
                LOG.info("Completing interrupted segment swap {}", p);
                Files.move(p, dir.resolve(target), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(dir.resolve(stem + Segment.INDEX));
                Files.deleteIfExists(dir.resolve(stem + Segment.TIME_INDEX));
                names.remove(name);
                names.add(target);
                names.remove(stem + Segment.INDEX);
                names.remove(stem + Segment.TIME_INDEX);
            } else if (name.endsWith(SWAP)) {
                Files.deleteIfExists(p);
                names.remove(name);
            }
        }
        for (String name : List.copyOf(names)) {
            String stem = stemOf(name, Segment.INDEX);
            if (stem == null) stem = stemOf(name, Segment.TIME_INDEX);
            if (stem == null) stem = stemOf(name, Segment.TXN_INDEX);
            if (stem != null && !names.contains(stem + Segment.LOG)) {
                LOG.info("Removing index without segment {}", dir.resolve(name));
                Files.deleteIfExists(dir.resolve(name));
                names.remove(name);
            }
        }
        return names;
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
