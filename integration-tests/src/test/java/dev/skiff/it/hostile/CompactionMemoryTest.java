package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted topic whose keys alone outweigh the broker's heap: 300 MB of distinct 100 KB keys, written by an
 * ordinary client to a broker with a 256 MB heap. The cleaner must compact it within a bounded map of key
 * digests (Kafka's {@code log.cleaner.dedupe.buffer.size}), not a map holding every key, which ran the broker out
 * of memory; afterwards the broker serves on and restarts with its data intact.
 */
@Timeout(300)
class CompactionMemoryTest {

    private static final int KEY_BYTES = 100 * 1024;
    private static final int KEYS = 3_000;

    @Test
    void keysHeavierThanTheHeapAreCompactedWithinBoundedMemory(@TempDir Path dataDir) throws Exception {
        try (MemoryCappedBroker broker = MemoryCappedBroker.start(
                dataDir,
                MemoryCappedBroker.DIRECT_MB,
                List.of("log.segment.bytes=16777216", "log.cleaner.backoff.ms=200"))) {
            MemoryCappedBroker.Baseline baseline = MemoryCappedBroker.Baseline.before(broker);
            broker.createTopic("many-keys", 1, Map.of("cleanup.policy", "compact"));
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            p.put(ProducerConfig.ACKS_CONFIG, "1");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16 * 1024 * 1024);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("many-keys", 0, "dup".getBytes(), "old".getBytes()));
                for (int i = 0; i < KEYS; i++) {
                    byte[] key = new byte[KEY_BYTES];
                    Arrays.fill(key, (byte) 'k');
                    byte[] n = Integer.toString(i).getBytes();
                    System.arraycopy(n, 0, key, 0, n.length);
                    producer.send(new ProducerRecord<>("many-keys", 0, key, n));
                }
                producer.send(new ProducerRecord<>("many-keys", 0, "dup".getBytes(), "new".getBytes()));
                for (int i = 0; i < 200; i++) // the last "dup" into an inactive segment
                producer.send(new ProducerRecord<>("many-keys", 0, ("filler" + i).getBytes(), new byte[KEY_BYTES]));
                producer.flush();
            }
            // the first segment holds the first "dup" until a pass over the whole log has compacted it
            Poll.until(
                    Duration.ofSeconds(120),
                    "the cleaner to compact the first segment",
                    () -> {
                        broker.assertAlive();
                        return firstValues(broker, "dup");
                    },
                    values -> values != null && values.isEmpty());
            baseline.assertServedAndRestartsIntact();
            assertEquals(KEYS + 202, broker.endOffset("many-keys"), "offsets never change");
        }
    }

    /** The values of {@code key} among the first ten offsets of the topic; null if they could not be read. */
    private static List<String> firstValues(MemoryCappedBroker broker, String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
        List<String> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition("many-keys", 0);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (c.position(tp) < 10 && System.nanoTime() < deadline)
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)))
                    if (key.equals(new String(r.key()))) out.add(new String(r.value()));
            return c.position(tp) < 10 ? null : out;
        }
    }
}
