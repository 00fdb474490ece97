package dev.skiff.it.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.it.durability.ChildBroker;
import io.netty.channel.epoll.Epoll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The standalone broker on each of its transports ({@code skiff.transport}): Netty's native epoll, which sends
 * log files with its own sendfile over a leased descriptor, and NIO, which sends them through the JDK. A real
 * producer and consumer move 12 MiB through each, in fetches larger than the socket buffers, and every record
 * is there again after a restart.
 */
class TransportsTest {

    private static final int RECORDS = 3_000;
    private static final int VALUE_BYTES = 4_096;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void realClientsAreServedAndNothingIsLostAcrossARestart(String transport) throws Exception {
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "Netty's native epoll does not load here");
        List<String> jvm = List.of("-Dskiff.transport=" + transport);
        List<String> flags = List.of("--topic", "moved:3");
        Path data = dir.resolve("data");
        try (ChildBroker broker = ChildBroker.start(jvm, data, 0, flags, 0)) {
            int port = broker.awaitPort(Duration.ofSeconds(60));
            assertEquals(
                    transport.equals("epoll"),
                    nativeEpollLoaded(broker.pid()),
                    "Netty's native epoll library is mapped exactly when the broker runs on it");
            produce(port);
            assertEquals(RECORDS, consumeAll(port), "every record read back on " + transport);
            broker.stop();
        }
        try (ChildBroker again = ChildBroker.start(jvm, data, 0, flags, 0)) {
            int p = again.awaitPort(Duration.ofSeconds(60));
            assertEquals(RECORDS, consumeAll(p), "every record after a restart on " + transport);
        }
    }

    /** Whether the process has mapped Netty's native epoll library (extracted under a name of its own). */
    private static boolean nativeEpollLoaded(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .anyMatch(l -> l.contains("netty_transport_native_epoll"));
    }

    private static byte[] value(int i) {
        byte[] v = new byte[VALUE_BYTES];
        Arrays.fill(v, (byte) i);
        v[0] = (byte) (i >>> 8);
        return v;
    }

    private static void produce(int port) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:" + port);
        props.put("acks", "all");
        props.put("linger.ms", 5);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            Future<RecordMetadata> last = null;
            for (int i = 0; i < RECORDS; i++) {
                last = p.send(new ProducerRecord<>("moved", i % 3, Integer.toString(i), value(i)));
            }
            p.flush();
            last.get();
        }
    }

    /** Reads the three partitions from the start in fetches of up to 8 MiB; checks every value against its key. */
    private static int consumeAll(int port) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:" + port);
        props.put("max.partition.fetch.bytes", 8 << 20);
        props.put("fetch.max.bytes", 8 << 20);
        props.put("receive.buffer.bytes", 8 << 10); // far below a fetch: each answer takes many sends
        int seen = 0;
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(
                    new TopicPartition("moved", 0), new TopicPartition("moved", 1), new TopicPartition("moved", 2));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    int i = Integer.parseInt(r.key());
                    assertEquals(i % 3, r.partition());
                    assertTrue(Arrays.equals(value(i), r.value()), "value of record " + i);
                    seen++;
                }
            }
        }
        return seen;
    }
}
