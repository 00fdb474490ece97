package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (Ctrl-C, a service manager's stop) closes the standalone broker cleanly: the process ends on its own,
 * and every partition is marked as closed cleanly, so the next start skips the recovery scan.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SigtermStopsCleanlyTest {

    @TempDir
    Path dataDir;

    @Test
    void sigtermClosesTheLogsCleanly() throws Exception {
        try (ChildBroker broker = ChildBroker.start(dataDir, 0, List.of("--topic", "orders:2"))) {
            int port = broker.awaitPort(Duration.ofSeconds(30));
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", "127.0.0.1:" + port), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++)
                    p.send(new ProducerRecord<>("orders", "k" + i, "v" + i)).get();
            }
            broker.stop();
            assertFalse(broker.isAlive(), "the broker ended on SIGTERM");
        }
        for (int partition = 0; partition < 2; partition++) {
            Path dir = dataDir.resolve("orders-" + partition);
            assertTrue(Files.exists(dir.resolve(".clean_shutdown")), "clean-shutdown marker in " + dir);
        }
        assertEquals(
                2,
                Files.list(dataDir)
                        .filter(d -> d.getFileName().toString().startsWith("orders-"))
                        .count());
    }
}
