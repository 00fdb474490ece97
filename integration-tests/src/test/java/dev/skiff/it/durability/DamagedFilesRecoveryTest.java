package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged partition files, at the broker level: write through a real producer, stop, damage the files the
 * way a crash or a bad disk would, start again. The broker must start, keep every whole batch before the
 * damage, say in its log what it repaired, and serve nothing corrupt (the consumer checks every CRC).
 */
class DamagedFilesRecoveryTest {

    static final String TOPIC = "damaged";
    static final int RECORDS = 24;

    @TempDir
    Path dataDir;

    Path partitionDir;

    @BeforeEach
    void writeAndStop() throws Exception {
        partitionDir = dataDir.resolve(TOPIC + "-0");
        try (EmbeddedSkiff broker = start()) {
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps(broker.bootstrapServers()))) {
                for (int i = 0; i < RECORDS; i++) {
                    // one batch per record, so every record is its own unit of recovery
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, value(i)))
                            .get();
                }
            }
        }
        assertTrue(segments().size() >= 3, "test needs several segments: " + segments());
    }

    private EmbeddedSkiff start() {
        return EmbeddedSkiff.builder()
                .dataDir(dataDir)
                .topic(TOPIC, 1)
                .property("log.segment.bytes", "1024")
                .property("log.index.interval.bytes", "100")
                .start();
    }

    static String value(int i) {
        return String.format("record-%04d-%s", i, "x".repeat(40));
    }

    @Test
    void truncatedTailLosesOnlyTheTornBatch() throws Exception {
        Path last = lastSegment();
        cut(last, 7);
        crashMarker();
        try (LogCapture logs = new LogCapture("dev.skiff.log");
                EmbeddedSkiff broker = start()) {
            assertEquals(expected(RECORDS - 1), consumeAll(broker));
            assertTrue(logs.contains("Truncating"), "repair logged: " + logs.messages());
        }
    }

    @Test
    void flippedByteInsideABatchCutsTheLogThere() throws Exception {
        Path last = lastSegment();
        List<long[]> batches = batchPositions(last);
        long[] victim = batches.get(batches.size() / 2);
        flipByte(last, victim[0] + victim[1] - 5); // inside the record, covered by the CRC
        crashMarker(); // a crash is what leaves a segment in doubt; clean segments are trusted as written
        int before = (int) (firstOffset(last) + batches.size() / 2);
        try (LogCapture logs = new LogCapture("dev.skiff.log");
                EmbeddedSkiff broker = start()) {
            assertEquals(expected(before), consumeAll(broker));
            assertTrue(
                    logs.contains("CRC") || logs.contains("crc") || logs.contains("Truncating"),
                    "repair logged: " + logs.messages());
        }
    }

    @Test
    void missingIndexIsRebuilt() throws Exception {
        Path first = segments().get(0);
        Files.delete(index(first));
        try (LogCapture logs = new LogCapture("dev.skiff.log");
                EmbeddedSkiff broker = start()) {
            assertEquals(expected(RECORDS), consumeAll(broker));
            assertEveryOffsetFound(broker);
            assertTrue(logs.contains("Rebuilding indexes"), "repair logged: " + logs.messages());
        }
        assertTrue(Files.exists(index(first)));
    }

    @Test
    void corruptIndexIsRebuilt() throws Exception {
        for (Path segment : segments()) {
            // entries pointing past the end of the log, out of order: implausible, so thrown away
            try (RandomAccessFile f = new RandomAccessFile(index(segment).toFile(), "rw")) {
                f.setLength(16);
                f.seek(0);
                f.writeInt(9);
                f.writeInt(1 << 30);
                f.writeInt(3);
                f.writeInt(5);
            }
        }
        try (LogCapture logs = new LogCapture("dev.skiff.log");
                EmbeddedSkiff broker = start()) {
            assertEquals(expected(RECORDS), consumeAll(broker));
            assertEveryOffsetFound(broker);
            assertTrue(logs.contains("Rebuilding indexes"), "repair logged: " + logs.messages());
        }
    }

    @Test
    void emptySegmentAtTheEndIsHarmless() throws Exception {
        // a crash right after a roll leaves a new, empty segment at the log end offset
        Path empty = partitionDir.resolve(String.format("%020d.log", RECORDS));
        Files.createFile(empty);
        crashMarker();
        try (EmbeddedSkiff broker = start()) {
            assertEquals(expected(RECORDS), consumeAll(broker));
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps(broker.bootstrapServers()))) {
                assertEquals(
                        RECORDS,
                        producer.send(new ProducerRecord<>(TOPIC, 0, null, value(RECORDS)))
                                .get()
                                .offset());
            }
            assertEquals(expected(RECORDS + 1), consumeAll(broker));
        }
    }

    @Test
    void leftoverTempFilesAreRemoved() throws Exception {
        Path base = segments().get(0);
        String stem = base.getFileName().toString().replace(".log", "");
        List<Path> leftovers = List.of(
                partitionDir.resolve(stem + ".log.tmp"),
                partitionDir.resolve(stem + ".log.cleaned"),
                partitionDir.resolve(stem + ".log.deleted"),
                partitionDir.resolve(String.format("%020d.index", 999_999)));
        for (Path p : leftovers) Files.write(p, new byte[] {1, 2, 3, 4, 5, 6, 7});
        try (LogCapture logs = new LogCapture("dev.skiff.log");
                EmbeddedSkiff broker = start()) {
            assertEquals(expected(RECORDS), consumeAll(broker));
            for (Path p : leftovers) assertFalse(Files.exists(p), p.getFileName() + " removed");
            assertTrue(logs.contains("Removing leftover file"), "cleanup logged: " + logs.messages());
        }
    }

    // ---- damage --------------------------------------------------------------------------------------------

    /** What a SIGKILL leaves: no clean-shutdown marker, so the last segment is checked batch by batch. */
    private void crashMarker() throws IOException {
        Files.deleteIfExists(partitionDir.resolve(".clean_shutdown"));
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(partitionDir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log"))
                    .sorted()
                    .toList();
        }
    }

    private Path lastSegment() throws IOException {
        List<Path> all = segments();
        return all.get(all.size() - 1);
    }

    private static Path index(Path segment) {
        return segment.resolveSibling(segment.getFileName().toString().replace(".log", ".index"));
    }

    private static long firstOffset(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    private static void cut(Path file, int bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - bytes);
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    /** (position, size) of each batch in a segment file, from the batch length fields. */
    private static List<long[]> batchPositions(Path segment) throws IOException {
        List<long[]> out = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r")) {
            long pos = 0;
            while (pos + 12 <= f.length()) {
                f.seek(pos + 8);
                long size = 12L + f.readInt();
                out.add(new long[] {pos, size});
                pos += size;
            }
        }
        return out;
    }

    // ---- reading back ----------------------------------------------------------------------------------------

    private static List<String> expected(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(value(i));
        return out;
    }

    static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Everything in partition 0, with CRCs checked and offsets dense from 0. */
    static List<String> consumeAll(EmbeddedSkiff broker) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer(broker.bootstrapServers())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    assertEquals(out.size(), r.offset(), "dense offsets");
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    /** Each offset, fetched on its own, is found through the (rebuilt) index and holds its record. */
    static void assertEveryOffsetFound(EmbeddedSkiff broker) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> c = consumer(broker.bootstrapServers())) {
            c.assign(List.of(tp));
            for (int i = RECORDS - 1; i >= 0; i--) {
                c.seek(tp, i);
                ConsumerRecord<String, String> first = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (first == null && System.nanoTime() < deadline) {
                    var polled = c.poll(Duration.ofMillis(200));
                    if (!polled.isEmpty()) first = polled.iterator().next();
                }
                assertTrue(first != null, "nothing at offset " + i);
                assertEquals(i, first.offset());
                assertEquals(value(i), first.value());
            }
        }
    }
}
