package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.it.Poll;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.SegmentedLog;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone broker is SIGKILLed at seeded random moments while a kafka-clients producer (acks=all) sends
 * numbered records as fast as it can, and restarted on the same data dir and port each time. Afterwards every
 * acknowledged record must be there, in order, at dense offsets, readable at its own offset through the
 * indexes, and the consumer-group offsets committed before each kill must be intact.
 *
 * <p>Without idempotence (retries on, one request in flight) Kafka promises at least once: a batch whose
 * answer the kill swallowed is sent again, so it may be stored twice, next to itself. With idempotence
 * (when the broker answers InitProducerId) the promise is exactly once.
 */
class KillAndRestartTest {

    static final String TOPIC = "crash";
    static final int PARTITIONS = 2;
    static final int KILLS = 5;
    static final long SEED = 20240611L;

    /** The figures of the last run, for the report in docs/GUARANTEES.md. */
    record Figures(int kills, long acked, long stored, long duplicates, long offsetsReadBack) {}

    @TempDir
    Path dataDir;

    @Test
    void atLeastOnceWithoutIdempotence() throws Exception {
        Figures f = run(false, SEED);
        System.out.println("KillAndRestartTest at-least-once: " + f);
    }

    @Test
    void exactlyOnceWithIdempotence() throws Exception {
        Figures f = run(true, SEED + 1);
        System.out.println("KillAndRestartTest exactly-once: " + f);
    }

    private Figures run(boolean idempotent, long seed) throws Exception {
        Random random = new Random(seed);
        List<String> flags = List.of(
                "--topic",
                TOPIC + ":" + PARTITIONS,
                // small segments so kills land around rolls and recovery sees several segments
                "--override",
                "log.segment.bytes=262144",
                "--override",
                "offsets.topic.num.partitions=1");
        ChildBroker broker = ChildBroker.start(dataDir, 0, flags);
        int port = broker.awaitPort(Duration.ofSeconds(30));
        String bootstrap = "127.0.0.1:" + port;
        if (idempotent) {
            boolean supported = answersInitProducerId(port);
            if (!supported) broker.kill();
            assumeTrue(supported, "the broker does not answer InitProducerId yet: idempotent run skipped");
        }

        // bit n set: record n acknowledged (millions of records: sets of boxed longs would crowd the test JVM)
        BitSet acked = new BitSet();
        AtomicLong ackCount = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Map<TopicPartition, Long> committed = new HashMap<>();
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, idempotent));
        Thread sender = new Thread(
                () -> {
                    for (long n = 0; !stop.get(); n++) {
                        final long number = n;
                        int partition = (int) (n % PARTITIONS);
                        try {
                            producer.send(
                                    new ProducerRecord<>(TOPIC, partition, null, Long.toString(number)), (md, e) -> {
                                        if (e == null) {
                                            synchronized (acked) {
                                                acked.set((int) number);
                                            }
                                            ackCount.incrementAndGet();
                                        }
                                    });
                        } catch (RuntimeException e) {
                            if (stop.get()) return; // closed under us at the end
                            throw e;
                        }
                    }
                },
                "numbered-sender");
        sender.start();
        long started = System.nanoTime();
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                long before = ackCount.get();
                // let some records be acknowledged in this life, then commit, then kill at a random moment
                Poll.until(Duration.ofSeconds(30), "acks after restart " + kill, ackCount::get, n -> n > before);
                Thread.sleep(100 + random.nextInt(600));
                commitOffsets(bootstrap, committed, ackCount.get() + kill);
                Thread.sleep(random.nextInt(800));
                broker.kill();
                broker = ChildBroker.start(dataDir, port, flags);
                broker.awaitPort(Duration.ofSeconds(30));
            }
            long before = ackCount.get();
            Poll.until(Duration.ofSeconds(30), "acks after the last restart", ackCount::get, n -> n > before);
            stop.set(true);
            sender.join(30_000);
            producer.flush();
        } finally {
            stop.set(true);
            producer.close(Duration.ofSeconds(5));
        }
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        assertTrue(elapsed < 180_000, "kill loop took " + elapsed + " ms"); // each step has its own 30 s bound

        // Everything acknowledged is there, consumed with CRC checks, in order, at dense offsets.
        long stored = 0, duplicates = 0;
        Map<Integer, long[]> values = consumeAll(bootstrap);
        BitSet seen = new BitSet();
        for (int p = 0; p < PARTITIONS; p++) {
            long[] log = values.get(p);
            stored += log.length;
            long highest = -1;
            for (int i = 0; i < log.length; i++) {
                long v = log[i];
                if (v % PARTITIONS != p) fail("record " + v + " in partition " + p);
                if (seen.get((int) v)) {
                    duplicates++;
                    if (idempotent) fail("record " + v + " stored twice in partition " + p + " (offset " + i + ")");
                    continue;
                }
                // first appearances keep the send order (one request in flight, or idempotent sequences)
                if (v <= highest) fail("record " + v + " after " + highest + " in partition " + p + " at offset " + i);
                seen.set((int) v);
                highest = v;
            }
        }
        BitSet missing = (BitSet) acked.clone();
        missing.andNot(seen);
        assertTrue(
                missing.isEmpty(),
                missing.cardinality() + " acknowledged records lost, e.g. record " + missing.nextSetBit(0));

        // Group offsets committed before the kills survived.
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, "crash-group"))) {
            Map<TopicPartition, OffsetAndMetadata> now = c.committed(committed.keySet(), Duration.ofSeconds(15));
            committed.forEach((tp, offset) -> assertEquals(
                    offset, now.get(tp) == null ? null : now.get(tp).offset(), "committed offset of " + tp));
        }

        // A clean stop, then every offset read back through the segment indexes, in this JVM.
        broker.stop();
        long readBack = 0;
        for (int p = 0; p < PARTITIONS; p++)
            readBack += readEveryOffset(dataDir.resolve(TOPIC + "-" + p), values.get(p));
        return new Figures(KILLS, ackCount.get(), stored, duplicates, readBack);
    }

    private static Properties producerProps(String bootstrap, boolean idempotent) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        if (!idempotent) {
            // at least once, in order: retries (the default) with one request in flight
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        }
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(
                ProducerConfig.BUFFER_MEMORY_CONFIG,
                Integer.toString(1 << 20)); // block the sender while the broker is down
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "90000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        return p;
    }

    private static Properties consumerProps(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    /** commitSync with generation -1 (assign, no group membership): the simple-consumer way. */
    private static void commitOffsets(String bootstrap, Map<TopicPartition, Long> committed, long base) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) offsets.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(base + p));
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, "crash-group"))) {
            c.assign(offsets.keySet());
            c.commitSync(offsets, Duration.ofSeconds(15));
        }
        offsets.forEach((tp, o) -> committed.put(tp, o.offset())); // acknowledged: must survive
    }

    /** Every record of every partition, by partition, checking offsets are dense from 0. */
    static Map<Integer, long[]> consumeAll(String bootstrap) {
        Map<Integer, long[]> out = new HashMap<>();
        int[] sizes = new int[PARTITIONS];
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bootstrap, null))) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
                out.put(p, new long[1024]);
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(15));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> sizes[tp.partition()] < end.get(tp))) {
                if (System.nanoTime() > deadline) fail("could not read back to " + end);
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    int p = r.partition();
                    if (r.offset() != sizes[p])
                        fail("offsets must be dense in partition " + p + ": " + r.offset() + " after "
                                + (sizes[p] - 1));
                    long[] a = out.get(p);
                    if (sizes[p] == a.length) out.put(p, a = Arrays.copyOf(a, a.length * 2));
                    a[sizes[p]++] = Long.parseLong(r.value());
                }
            }
        }
        for (int p = 0; p < PARTITIONS; p++) out.put(p, Arrays.copyOf(out.get(p), sizes[p]));
        return out;
    }

    /**
     * Opens the partition's log the way the broker does and looks every offset up through its index: the
     * batch found must hold that offset, and its record must be the one the consumer saw there.
     */
    static long readEveryOffset(Path partitionDir, long[] expected) {
        long checked = 0;
        try (SegmentedLog log = SegmentedLog.open(partitionDir, LogConfig.defaults())) {
            assertEquals(expected.length, log.logEndOffset(), "log end offset of " + partitionDir.getFileName());
            ByteBuffer header = ByteBuffer.allocate(27);
            for (long offset = 0; offset < expected.length; offset++) {
                LogSlice slice = log.read(offset, 1, true);
                assertTrue(slice.size() > 0, "nothing read at offset " + offset);
                header.clear();
                readAt(slice, header);
                long base = header.getLong(0);
                long last = base + header.getInt(23);
                if (offset < base || offset > last)
                    fail("index lookup of " + offset + " found batch " + base + ".." + last);
                checked++;
            }
            // and the contents of a sample of lookups match what the consumer saw (the consumer checked CRCs)
            for (long offset = 0; offset < expected.length; offset += 997) {
                ByteBuffer batch = log.read(offset, 1, true).readFully();
                for (var rec : org.apache.kafka.common.record.MemoryRecords.readableRecords(batch)
                        .records()) {
                    if (rec.offset() != offset) continue;
                    String v = StandardCharsets.UTF_8.decode(rec.value()).toString();
                    assertEquals(expected[(int) offset], Long.parseLong(v), "record at offset " + offset);
                }
            }
        }
        return checked;
    }

    private static void readAt(LogSlice slice, ByteBuffer dst) {
        try {
            if (slice.isFile()) {
                while (dst.hasRemaining()) {
                    if (slice.channel().read(dst, slice.position() + dst.position()) < 0) break;
                }
            } else {
                dst.put(slice.buffer().duplicate().limit(slice.buffer().position() + dst.remaining()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** ApiVersions v0 over a plain socket: does the broker list InitProducerId (key 22)? */
    static boolean answersInitProducerId(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] client = "probe".getBytes(StandardCharsets.UTF_8);
            out.writeInt(2 + 2 + 4 + 2 + client.length);
            out.writeShort(18);
            out.writeShort(0);
            out.writeInt(1);
            out.writeShort(client.length);
            out.write(client);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readInt();
            in.readInt();
            in.readShort();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                short key = in.readShort();
                in.readShort();
                in.readShort();
                if (key == 22) return true;
            }
            return false;
        }
    }
}
