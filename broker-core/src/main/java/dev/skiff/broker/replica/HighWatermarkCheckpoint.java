package dev.skiff.broker.replica;

import dev.skiff.broker.TopicPartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The high watermarks of a broker's replicas, kept in {@code replication-offset-checkpoint} in Kafka's text
 * layout (a version line 0, a count, then "topic partition offset" per line). A leader that starts again begins
 * at its checkpointed high watermark, so consumers keep seeing what was committed before the restart instead
 * of nothing until every follower has fetched again. Written whole to a temporary file and renamed over the
 * old one, so a crash leaves either the old or the new checkpoint.
 */
public final class HighWatermarkCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkCheckpoint.class);

    public static final String FILE_NAME = "replication-offset-checkpoint";

    private final Path file;

    public HighWatermarkCheckpoint(Path file) {
        this.file = file;
    }

    /** What the file holds; empty when it is missing or unreadable (a replica then starts at 0, as in Kafka). */
    public Map<TopicPartition, Long> read() {
        Map<TopicPartition, Long> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}; high watermarks start at 0", file.getFileName(), e.toString());
            return out;
        }
        try {
            if (lines.size() < 2 || !lines.get(0).trim().equals("0")) throw new IllegalArgumentException("version");
            int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || count > lines.size() - 2) throw new IllegalArgumentException("count " + count);
            for (int i = 0; i < count; i++) {
                String[] f = lines.get(2 + i).trim().split(" ");
                if (f.length != 3) throw new IllegalArgumentException("line " + (i + 3));
                long offset = Long.parseLong(f[2]);
                if (offset >= 0) out.put(new TopicPartition(f[0], Integer.parseInt(f[1])), offset);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring malformed {} ({}); high watermarks start at 0", file.getFileName(), e.getMessage());
            out.clear();
        }
        return out;
    }

    /** Replaces the checkpoint with {@code highWatermarks}. */
    public void write(Map<TopicPartition, Long> highWatermarks) {
        StringBuilder b = new StringBuilder("0\n").append(highWatermarks.size()).append('\n');
        highWatermarks.forEach((tp, hw) -> b.append(tp.topic())
                .append(' ')
                .append(tp.partition())
                .append(' ')
                .append(hw)
                .append('\n'));
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            Files.writeString(
                    tmp,
                    b,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FILE_NAME, e);
        }
    }
}
