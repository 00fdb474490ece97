package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.ApiKeys;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that pipeline Fetch requests with large answers and never read them, against a broker in a child JVM
 * with a small heap and a 64 MB direct-memory cap. Without back-pressure every answer is queued on the
 * connection (about 400 MB here) and the broker runs out of direct memory. With it, the broker stops reading
 * such a connection while its unsent answers are above the water mark: its direct memory stays far below the
 * cap, another client is served meanwhile, and once the pipeliners read, each gets every answer in order.
 */
class PipeliningMemoryTest {

    private static final String DIRECT_CAP = "-XX:MaxDirectMemorySize=64m";
    private static final int RECORD_BYTES = 100 * 1024;
    private static final int ANSWER_BYTES = 1 << 20;
    private static final int PIPELINERS = 2;
    private static final int REQUESTS_EACH = 200;

    @TempDir
    Path dataDir;

    @Test
    void answersNobodyReadsDoNotExhaustDirectMemory() throws Exception {
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        List<String> acknowledged = new ArrayList<>();
        try (Child broker = Child.start(dataDir, port)) {
            // the baseline of every hostile test: acknowledged records and a committed offset
            produce(bootstrap, "survivor", 20, acknowledged);
            commit(bootstrap, "survivor", 7);
            fill(bootstrap, "bulk", 4 * ANSWER_BYTES / RECORD_BYTES);

            List<RawConnection> pipeliners = new ArrayList<>();
            for (int c = 0; c < PIPELINERS; c++) {
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = 1; i <= REQUESTS_EACH; i++) {
                    // v3: answers down-converted to magic 1, so they are buffers, not file regions
                    requests.write(RequestFrames.frame(
                            ApiKeys.FETCH, (short) 3, i, RequestFrames.fetch("bulk", 0, 0, 0, ANSWER_BYTES)));
                }
                pipeliners.add(new RawConnection("127.0.0.1", port).send(requests.toByteArray()));
            }

            // while nobody reads those answers, another client is served
            produce(bootstrap, "survivor", 1, acknowledged);
            assertEquals(acknowledged, readAll(bootstrap, "survivor", acknowledged.size()));
            long direct = broker.directMemoryUsed();
            System.out.println("PipeliningMemoryTest: broker direct memory with " + PIPELINERS * REQUESTS_EACH
                    + " unread answers of ~1 MB queued by clients: " + direct / 1024 + " KB (cap 64 MB)");
            assertTrue(direct < 32L << 20, "direct memory in use: " + direct);

            // nothing was dropped: each pipeliner gets all its answers, in order, once it reads
            for (RawConnection c : pipeliners) {
                for (int i = 1; i <= REQUESTS_EACH; i++) {
                    RawConnection.Answer a = c.readAnswer();
                    assertEquals(i, a.correlationId());
                    assertTrue(a.body().remaining() > ANSWER_BYTES / 2, "a full answer, not an error");
                }
                c.close();
            }
            assertFalse(broker.output().contains("OutOfMemoryError"), broker.output());
            assertFalse(broker.output().contains("OutOfDirectMemoryError"), broker.output());
            broker.stop();
        }
        try (Child restarted = Child.start(dataDir, port)) {
            assertEquals(
                    acknowledged,
                    readAll(bootstrap, "survivor", acknowledged.size()),
                    "every acknowledged record survives the restart");
            assertEquals(7, committed(bootstrap, "survivor"), "the committed offset survives the restart");
            produce(bootstrap, "survivor", 1, acknowledged);
            assertEquals(acknowledged, readAll(bootstrap, "survivor", acknowledged.size()));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, Object> client(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("request.timeout.ms", 20_000);
        props.put("default.api.timeout.ms", 30_000);
        return props;
    }

    private static void produce(String bootstrap, String topic, int n, List<String> acknowledged) throws Exception {
        Map<String, Object> props = client(bootstrap);
        props.put("acks", "all");
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                String value = "v" + acknowledged.size();
                p.send(new ProducerRecord<>(topic, 0, "k", value)).get(30, TimeUnit.SECONDS);
                acknowledged.add(value);
            }
        }
    }

    private static void fill(String bootstrap, String topic, int records) throws Exception {
        Map<String, Object> props = client(bootstrap);
        props.put("acks", "all");
        String value = "x".repeat(RECORD_BYTES);
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) p.send(new ProducerRecord<>(topic, 0, null, value));
            p.flush();
        }
    }

    private static void commit(String bootstrap, String topic, long offset) {
        Map<String, Object> props = client(bootstrap);
        props.put("group.id", topic + "-group");
        props.put("enable.auto.commit", false);
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.commitSync(Map.of(tp, new OffsetAndMetadata(offset)));
        }
    }

    private static long committed(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(topic + "-group")
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        }
    }

    private static List<String> readAll(String bootstrap, String topic, int expected) {
        Map<String, Object> props = client(bootstrap);
        props.put("enable.auto.commit", false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }

    /** The standalone broker in a child JVM with a small heap and a direct-memory cap. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();
        private final CountDownLatch listening = new CountDownLatch(1);

        private Child(Process process) {
            this.process = process;
            Thread drain = new Thread(this::drain, "pipelining-child-output");
            drain.setDaemon(true);
            drain.start();
        }

        static Child start(Path dataDir, int port) throws Exception {
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    DIRECT_CAP,
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.skiff.server.Main",
                    "--port",
                    Integer.toString(port),
                    "--data-dir",
                    dataDir.toString(),
                    "--topic",
                    "survivor:2",
                    "--topic",
                    "bulk:1");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            Child child = new Child(pb.start());
            if (!child.listening.await(60, TimeUnit.SECONDS)) {
                child.close();
                throw new AssertionError("the broker did not start:\n" + child.output());
            }
            return child;
        }

        private void drain() {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    while (output.size() > 400) output.pollFirst();
                    if (line.contains("Skiff is listening on")) listening.countDown();
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }

        /** The JVM's direct buffer pool (Netty allocates through it on Java 17), read over JMX. */
        long directMemoryUsed() throws Exception {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(process.pid()));
            try {
                String address = vm.startLocalManagementAgent();
                try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                    MBeanServerConnection server = jmx.getMBeanServerConnection();
                    return ManagementFactory.getPlatformMXBeans(server, BufferPoolMXBean.class).stream()
                            .filter(b -> b.getName().equals("direct"))
                            .mapToLong(BufferPoolMXBean::getMemoryUsed)
                            .sum();
                }
            } finally {
                vm.detach();
            }
        }

        String output() {
            return String.join(System.lineSeparator(), output);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
