package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-state snapshot files of one partition directory, as Kafka names them:
 * {@code <20-digit offset>.snapshot}, where the offset is the first one the snapshot does not cover (the base
 * offset of the segment rolled to, or the log end at a clean shutdown). This class only keeps the bytes; what
 * they mean (and their CRC) is the broker's. A file is written to a temp name and renamed into place, so a
 * reader sees it whole or not at all; it is not fsynced, as a lost or torn snapshot only costs a longer scan.
 */
public final class ProducerSnapshotFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSnapshotFiles.class);
    static final String SUFFIX = ".snapshot";
    /** Snapshots kept after each write (older ones only lengthen nothing: the newest valid one is used). */
    static final int KEPT = 2;
    /** A larger file is not read (oversized or garbled): about 700,000 producers at Kafka's 46 bytes each. */
    public static final int MAX_BYTES = 32 << 20;

    private final Path dir;

    ProducerSnapshotFiles(Path dir) {
        this.dir = dir;
    }

    static String fileName(long offset) {
        return String.format("%020d%s", offset, SUFFIX);
    }

    /** Offset of a snapshot file name, or -1 when it is not one. */
    static long offsetOf(String name) {
        if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) return -1;
        for (int i = 0; i < 20; i++) if (!Character.isDigit(name.charAt(i))) return -1;
        try {
            return Long.parseLong(name.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Offsets of the snapshot files present, oldest first. */
    List<Long> offsets() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : stream) {
                long offset = offsetOf(p.getFileName().toString());
                if (offset >= 0) out.add(offset);
            }
        } catch (IOException e) {
            LOG.warn("Cannot list the producer snapshots of {}: {}", dir, e.toString());
        }
        out.sort(null);
        return out;
    }

    /** The bytes of a snapshot, or null (with a warning) when it is missing, unreadable or oversized. */
    ByteBuffer read(long offset) {
        Path file = dir.resolve(fileName(offset));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_BYTES) {
                LOG.warn("Ignoring producer snapshot {}: {} bytes is more than {}", file, size, MAX_BYTES);
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf, buf.position()) < 0) break;
            }
            return buf.flip();
        } catch (IOException e) {
            LOG.warn("Ignoring producer snapshot {}: {}", file, e.toString());
            return null;
        }
    }

    /** Writes the snapshot for {@code offset} (replacing one there), then keeps only the newest {@link #KEPT}. */
    void write(long offset, ByteBuffer bytes) throws IOException {
        Path file = dir.resolve(fileName(offset));
        Path tmp = file.resolveSibling(file.getFileName() + Recovery.TMP);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = bytes.duplicate();
            while (b.hasRemaining()) ch.write(b);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        List<Long> all = offsets();
        for (int i = 0; i < all.size() - KEPT; i++) delete(all.get(i));
    }

    /** Deletes the snapshots above {@code offset} (the log was cut there: they describe batches now gone). */
    void deleteAbove(long offset) {
        for (long o : offsets()) if (o > offset) delete(o);
    }

    /** Deletes the snapshots below {@code offset} (the log start moved past them: they can no longer be used). */
    void deleteBelow(long offset) {
        for (long o : offsets()) if (o < offset) delete(o);
    }

    /** Deletes those of {@code offsets} (listed by the caller) outside {@code start..end}. */
    void deleteOutside(List<Long> offsets, long start, long end) {
        for (long o : offsets) if (o < start || o > end) delete(o);
    }

    private void delete(long offset) {
        try {
            Files.deleteIfExists(dir.resolve(fileName(offset)));
        } catch (IOException e) {
            LOG.warn("Cannot delete producer snapshot {} of {}: {}", offset, dir, e.toString());
        }
    }
}
