package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An offset index entry damaged on disk but plausible (sorted, inside the file, so the broker trusts the
 * index on a clean start) points into the middle of a batch. Fetches at every offset must return the right
 * records (or an error), never spin; the broker then serves and restarts intact.
 */
class DamagedIndexHostileTest {

    private static final String TOPIC = "indexed";
    private static final int RECORDS = 40;

    @TempDir
    Path dataDir;

    private EmbeddedSkiff start() {
        return EmbeddedSkiff.builder()
                .dataDir(dataDir)
                .topic(TOPIC, 1)
                .property("log.index.interval.bytes", "100")
                .start();
    }

    @Test
    void aFetchThroughADamagedIndexEntryReturnsTheRightRecords() throws Exception {
        try (EmbeddedSkiff broker = start()) {
            Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all");
            try (KafkaProducer<String, String> p =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                // one batch per record, each larger than the index interval: an index entry per batch
                for (int i = 0; i < RECORDS; i++)
                    p.send(new ProducerRecord<>(TOPIC, 0, null, value(i))).get();
            }
        }
        Path index = dataDir.resolve(TOPIC + "-0").resolve("00000000000000000000.index");
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
        int n = entries.remaining() / 8;
        assertTrue(n >= 10, "index entries: " + n);
        int entry = n / 2;
        int before = entries.getInt((entry - 1) * 8 + 4), at = entries.getInt(entry * 8 + 4);
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, (before + at) / 2), entry * 8L + 4); // mid-batch
        }

        try (EmbeddedSkiff broker = start()) {
            Survival survival = Survival.before(broker);
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Map<String, Object> props = Map.of(
                        "bootstrap.servers",
                        broker.bootstrapServers(),
                        "enable.auto.commit",
                        false,
                        "check.crcs",
                        true,
                        "max.partition.fetch.bytes",
                        200);
                try (KafkaConsumer<String, String> c =
                        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                    TopicPartition tp = new TopicPartition(TOPIC, 0);
                    c.assign(List.of(tp));
                    for (int from = 0; from < RECORDS; from += 3) {
                        c.seek(tp, from);
                        List<String> got = new ArrayList<>();
                        long deadline =
                                System.nanoTime() + Duration.ofSeconds(20).toNanos();
                        while (got.size() < RECORDS - from && System.nanoTime() < deadline) {
                            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) got.add(r.value());
                        }
                        List<String> expected = new ArrayList<>();
                        for (int i = from; i < RECORDS; i++) expected.add(value(i));
                        assertTrue(
                                expected.equals(got),
                                "records from offset " + from + ": " + got.size() + " read, " + expected.size()
                                        + " expected, the first "
                                        + (got.isEmpty() ? "none" : got.get(0).substring(0, 12)));
                    }
                }
            });
            survival.assertServedAndRestartsIntact();
        }
    }

    private static String value(int i) {
        return "record-" + i + "-" + "x".repeat(150);
    }
}
