package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.config.BrokerConfig;
import dev.skiff.it.Poll;
import dev.skiff.server.SkiffServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, injected under the log layer: produces are answered KAFKA_STORAGE_ERROR (never acknowledged,
 * nothing half-written left behind), what is already stored stays readable, and once space returns the same
 * broker takes writes again, at the next offset, without a restart.
 */
class FullDiskTest {

    static final String TOPIC = "full";

    @TempDir
    Path dataDir;

    final InjectedDisk disk = new InjectedDisk();
    SkiffServer server;

    private String start(Map<String, String> extra) {
        Map<String, String> props =
                new java.util.HashMap<>(Map.of("host.name", "127.0.0.1", "port", "0", "log.dirs", dataDir.toString()));
        props.putAll(extra);
        server = SkiffServer.start(BrokerConfig.of(props), LogFactory.files(dataDir, disk), Map.of(TOPIC, 1));
        return "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static Properties producerProps(String bootstrap, boolean retry) {
        Properties p = DamagedFilesRecoveryTest.producerProps(bootstrap);
        if (!retry) {
            p.put(ProducerConfig.RETRIES_CONFIG, "0");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        }
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "200");
        return p;
    }

    @Test
    void storageErrorWhileFullReadsStillWorkAndWritesResumeWhenSpaceReturns() throws Exception {
        String bootstrap = start(Map.of());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, false))) {
            for (int i = 0; i < 10; i++)
                producer.send(new ProducerRecord<>(TOPIC, 0, null, "before-" + i))
                        .get();

            disk.fill();
            for (int i = 0; i < 3; i++) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "lost"))
                                .get());
                assertInstanceOf(KafkaStorageException.class, e.getCause());
            }
            assertTrue(disk.failedWrites.get() > 0);

            // the data already stored is still served while the disk is full
            assertEquals(values("before-", 10), consume(bootstrap));

            disk.makeSpace();
            RecordMetadata md = producer.send(new ProducerRecord<>(TOPIC, 0, null, "after-0"))
                    .get();
            assertEquals(10, md.offset(), "the failed appends left no hole and no half batch");
        }
        List<String> expected = values("before-", 10);
        expected.add("after-0");
        assertEquals(expected, consume(bootstrap));

        // and all of it is intact on disk: a restart on the same files finds the same records
        server.close();
        server = null;
        String again = start(Map.of());
        assertEquals(expected, consume(again));
    }

    @Test
    void retryingProducerDeliversOnceSpaceReturns() throws Exception {
        String bootstrap = start(Map.of());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, true))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "first")).get();
            disk.fill();
            Future<RecordMetadata> pending = producer.send(new ProducerRecord<>(TOPIC, 0, null, "waited"));
            long failures = disk.failedWrites.get();
            // KAFKA_STORAGE_ERROR is retriable: the producer keeps trying while the disk is full
            Poll.until(Duration.ofSeconds(10), "a few refused appends", disk.failedWrites::get, n -> n >= failures + 2);
            assertFalse(pending.isDone(), "not acknowledged while nothing could be written");
            disk.makeSpace();
            assertEquals(1, pending.get().offset());
        }
        assertEquals(List.of("first", "waited"), consume(bootstrap));
    }

    @Test
    void fsyncOnAcksAllFailureIsAStorageErrorNotAnAck() throws Exception {
        String bootstrap = start(Map.of("skiff.fsync.on.acks.all", "true"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, false))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "synced")).get();
            disk.breakSync(true);
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "unsynced"))
                            .get());
            assertInstanceOf(KafkaStorageException.class, e.getCause());
            disk.breakSync(false);
            assertEquals(
                    2,
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, "synced again"))
                            .get()
                            .offset(),
                    "the unsynced record stays in the page cache: at least once, as after any unanswered produce");
        }
    }

    private static List<String> values(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(prefix + i);
        return out;
    }

    static List<String> consume(String bootstrap) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = DamagedFilesRecoveryTest.consumer(bootstrap)) {
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
}
