package dev.skiff.it.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A default (idempotent) producer whose connection is cut mid-stream by a broker restart retries what was in
 * flight; batches that had been written before the cut are recognised after the restart (producer state is
 * rebuilt from the log) and not written twice.
 */
class RetryAcrossRestartTest {

    private static final int RECORDS = 30_000;
    private static EmbeddedSkiff skiff;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder().topic("restart-retries", 2).start();
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @Test
    void noDuplicatesAfterRestartMidStream() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Future<RecordMetadata>> futures = new ArrayList<>(RECORDS);
        try (KafkaProducer<String, String> producer = Clients.producer(
                skiff.bootstrapServers(), "batch.size", "2048", "linger.ms", "0", "reconnect.backoff.max.ms", "200")) {
            Thread sender = new Thread(() -> {
                for (int i = 0; i < RECORDS; i++) {
                    futures.add(producer.send(new ProducerRecord<>("restart-retries", i % 2, null, "r" + i), (m, e) -> {
                        if (e != null) failure.compareAndSet(null, e);
                        else acked.incrementAndGet();
                    }));
                }
            });
            sender.start();
            Poll.until("a fifth of the records acknowledged", acked::get, n -> n >= RECORDS / 5);
            skiff.restart();
            sender.join(TimeUnit.SECONDS.toMillis(60));
            producer.flush();
            Poll.until(
                    Duration.ofSeconds(60),
                    "every record acknowledged",
                    () -> acked.get() + (failure.get() == null ? 0 : RECORDS),
                    n -> n >= RECORDS);
        }
        assertNull(failure.get(), "no send failed");
        assertTrue(acked.get() > RECORDS / 5);
        List<ConsumerRecord<String, String>> read = Clients.readAll(
                skiff.bootstrapServers(),
                List.of(new TopicPartition("restart-retries", 0), new TopicPartition("restart-retries", 1)),
                RECORDS,
                Duration.ofSeconds(60));
        BitSet seen = new BitSet(RECORDS);
        for (ConsumerRecord<String, String> r : read) {
            int i = Integer.parseInt(r.value().substring(1));
            assertTrue(!seen.get(i), "record " + i + " read twice");
            seen.set(i);
        }
        assertEquals(RECORDS, read.size(), "records read back");
        assertEquals(RECORDS, seen.cardinality());
    }
}
