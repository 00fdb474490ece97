package dev.skiff.it.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the soaks share. A soak runs only when asked, for {@code -Dskiff.soak.seconds=N} of random failures
 * ({@code -Dskiff.soak.seed=S} replays one run's choices; the timing of the clients is not replayed), so the
 * suite's own run time and its independence of timing are untouched. Their properties do not depend on timing:
 * whatever a client was told is stored, once, in order, and the replicas agree.
 */
final class Soak {

    final int seconds;
    final long seed;
    final Random random;

    private Soak(int seconds, long seed) {
        this.seconds = seconds;
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The soak's settings; skips the test unless {@code skiff.soak.seconds} is set. */
    static Soak fromSystemProperties(String name) {
        int seconds = Integer.getInteger("skiff.soak.seconds", 0);
        assumeTrue(seconds > 0, "a soak: run with -Dskiff.soak.seconds=N");
        long seed = Long.getLong("skiff.soak.seed", System.nanoTime());
        System.out.println(
                name + ": " + seconds + " s, seed " + seed + " (replay with -Dskiff.soak.seed=" + seed + ")");
        return new Soak(seconds, seed);
    }

    long deadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    /** Sleeps between {@code min} and {@code min + spread} milliseconds, as the seed decides. */
    void pause(int min, int spread) throws InterruptedException {
        Thread.sleep(min + random.nextInt(spread));
    }

    static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 2000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        return p;
    }

    static Properties consumerProps(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        return p;
    }

    /**
     * Every value of a partition from its log start to its end offset, read through its leader, as integers,
     * once the end offset is at least {@code atLeast} and has stayed put for three seconds: a leader just
     * started or just elected moves its high watermark up to what it holds only as its followers fetch again
     * (as Kafka's does), so reading at once can stop short of records every replica has. Nothing is written
     * meanwhile. Fails if the end is not reached within five minutes.
     */
    static List<Integer> readAll(String bootstrap, String topic, int partition, String isolation, long atLeast)
            throws InterruptedException {
        Properties p = consumerProps(bootstrap, null);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (KafkaConsumer<String, String> k = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            k.assign(List.of(tp));
            k.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long end = -1;
            for (long seen = k.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
                    (seen != end || seen < atLeast) && System.nanoTime() < deadline; ) {
                end = seen;
                Thread.sleep(seen < atLeast ? 100 : 3000);
                seen = k.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            }
            List<Integer> values = new ArrayList<>();
            while (k.position(tp) < end && System.nanoTime() < deadline)
                for (ConsumerRecord<String, String> r :
                        k.poll(Duration.ofMillis(200)).records(tp)) values.add(Integer.parseInt(r.value()));
            if (k.position(tp) < end) fail(topic + "-" + partition + " read only to " + k.position(tp) + " of " + end);
            return values;
        }
    }

    /** The log holds every acknowledged value, each value once, in the order sent (values rise). */
    static void assertOnceInOrderWithNothingLost(String what, List<Integer> log, List<Integer> acknowledged) {
        assertRising(what, log);
        Set<Integer> stored = new HashSet<>(log);
        List<Integer> missing = new ArrayList<>();
        for (int v : acknowledged) if (!stored.contains(v)) missing.add(v);
        System.out.println(what + ": " + log.size() + " stored, " + acknowledged.size() + " acknowledged, "
                + missing.size() + " missing");
        assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())), what + " lost acknowledged records");
    }

    /** Each value once, in the order sent (values rise). */
    static void assertRising(String what, List<Integer> log) {
        for (int i = 1; i < log.size(); i++)
            if (log.get(i) <= log.get(i - 1))
                fail(what + " holds " + log.get(i - 1) + " then " + log.get(i) + " at index " + i);
    }

    /** Two replicas' copies of a partition are the same, or where they part is shown. */
    static void assertSameLog(String what, List<Integer> expected, List<Integer> actual) {
        if (expected.equals(actual)) return;
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) i++;
        fail(what + ": " + expected.size() + " against " + actual.size() + " records, first difference at index "
                + i + ": " + expected.subList(i, Math.min(expected.size(), i + 5)) + " against "
                + actual.subList(i, Math.min(actual.size(), i + 5)));
    }

    /**
     * An idempotent acks=all producer sending 0, 1, 2, ... round-robin to the partitions of a topic until
     * stopped, keeping which values were acknowledged on which partition. Paced (a millisecond's pause every
     * 20 records) so that a soak's log stays within what it can read back.
     */
    static final class CountingProducer implements AutoCloseable {
        final List<List<Integer>> acknowledged = new ArrayList<>();
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        CountingProducer(String bootstrap, String topic, int partitions) {
            this(bootstrap, topic, partitions, 0);
        }

        /** With {@code keys} > 0, value v is sent with the key {@code v % keys} (for a compacted topic). */
        CountingProducer(String bootstrap, String topic, int partitions, int keys) {
            for (int p = 0; p < partitions; p++) acknowledged.add(Collections.synchronizedList(new ArrayList<>()));
            Properties props = producerProps(bootstrap);
            thread = new Thread(
                    () -> {
                        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                            for (int n = 0; running.get(); n++) {
                                int partition = n % partitions;
                                int value = n;
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                partition,
                                                keys > 0 ? Integer.toString(value % keys) : null,
                                                Integer.toString(value)),
                                        (md, e) -> {
                                            if (e != null) {
                                                failed.incrementAndGet();
                                                return;
                                            }
                                            acknowledged.get(partition).add(value);
                                            acked.incrementAndGet();
                                        });
                                if (n % 20 == 0) Thread.sleep(1);
                            }
                            producer.flush();
                        } catch (Throwable t) {
                            error.set(t);
                        }
                    },
                    "soak-producer");
            thread.start();
        }

        Throwable error() {
            return error.get();
        }

        List<Integer> acknowledged(int partition) {
            synchronized (acknowledged.get(partition)) {
                return new ArrayList<>(acknowledged.get(partition));
            }
        }

        @Override
        public String toString() {
            return acked.get() + " acknowledged, " + failed.get() + " failed";
        }

        /** Stops sending, waits for every answer, and fails if the producer itself failed. */
        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.MINUTES.toMillis(3));
            if (error.get() != null) fail("the producer failed", error.get());
        }
    }
}
