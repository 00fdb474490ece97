package dev.skiff.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The log start offset, kept in a small text file ("0" version line, then the offset) that is replaced
 * atomically (write temp, fsync, rename) so a crash leaves either the old or the new value.
 */
final class LogStartCheckpoint {
    static final String FILE = "log-start-offset.checkpoint";
    private final Path file;

    LogStartCheckpoint(Path dir) {
        this.file = dir.resolve(FILE);
    }

    /** The stored offset, or -1 when there is none or it is unreadable. */
    long read() {
        try {
            if (!Files.exists(file)) return -1;
            String[] lines =
                    Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
            if (lines.length != 2 || !lines[0].equals("0")) return -1;
            return Long.parseLong(lines[1]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    void write(long offset) throws IOException {
        Path tmp = file.resolveSibling(FILE + Recovery.TMP);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(("0\n" + offset + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
