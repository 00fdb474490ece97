package dev.skiff.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HighWatermarkCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void writesKafkasLayoutAndReadsItBack() throws Exception {
        Path file = dir.resolve(HighWatermarkCheckpoint.FILE_NAME);
        HighWatermarkCheckpoint c = new HighWatermarkCheckpoint(file);
        assertTrue(c.read().isEmpty(), "no file: every replica starts at 0");
        Map<TopicPartition, Long> hws = Map.of(new TopicPartition("a", 0), 42L, new TopicPartition("b.c", 3), 0L);
        c.write(hws);
        assertEquals(hws, c.read());
        var lines = Files.readAllLines(file);
        assertEquals("0", lines.get(0));
        assertEquals("2", lines.get(1));
        assertTrue(lines.contains("a 0 42"));
    }

    @Test
    void aMalformedFileIsIgnoredNotFatal() throws Exception {
        Path file = dir.resolve(HighWatermarkCheckpoint.FILE_NAME);
        HighWatermarkCheckpoint c = new HighWatermarkCheckpoint(file);
        for (String bad : new String[] {"", "1\n0\n", "0\n5\na 0 1\n", "0\n1\na zero 1\n", "0\n1\na 0\n", "0\n-1\n"}) {
            Files.writeString(file, bad);
            assertTrue(c.read().isEmpty(), bad);
        }
    }
}
