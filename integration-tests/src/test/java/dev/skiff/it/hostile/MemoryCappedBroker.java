package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The standalone broker in a child JVM with a small heap and a capped direct memory, for attacks that aim at
 * memory: an out-of-memory error ends the process ({@code ExitOnOutOfMemoryError}), so surviving means
 * staying alive. {@link Baseline} is {@link Survival}'s check for it: records acknowledged and an offset
 * committed before the attack, served on a fresh connection after it, intact after a restart on the same data.
 */
final class MemoryCappedBroker implements AutoCloseable {
    static final String HEAP = "-Xmx256m";
    /** The direct-memory cap unless a test asks for another. */
    static final int DIRECT_MB = 192;

    private static final Pattern LISTENING = Pattern.compile("Skiff is listening on ([^ ]+):(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final int directMb;
    private final List<String> overrides;
    private Process process;
    private int port;
    private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();

    private MemoryCappedBroker(Path dataDir, int directMb, List<String> overrides) {
        this.dataDir = dataDir;
        this.directMb = directMb;
        this.overrides = overrides;
    }

    static MemoryCappedBroker start(Path dataDir) throws Exception {
        return start(dataDir, DIRECT_MB);
    }

    /** With {@code directMb} MB of direct memory at most. */
    static MemoryCappedBroker start(Path dataDir, int directMb) throws Exception {
        return start(dataDir, directMb, List.of());
    }

    /** With {@code directMb} MB of direct memory at most and these broker settings ("key=value"). */
    static MemoryCappedBroker start(Path dataDir, int directMb, List<String> overrides) throws Exception {
        MemoryCappedBroker b = new MemoryCappedBroker(dataDir, directMb, overrides);
        b.launch();
        return b;
    }

    private void launch() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP,
                "-XX:MaxDirectMemorySize=" + directMb + "m",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.skiff.server.Main",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--override",
                "offsets.topic.num.partitions=1"));
        for (String o : overrides) cmd.addAll(List.of("--override", o));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        process = pb.start();
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        Process p = process;
        Thread drain = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            output.add(line);
                            while (output.size() > 300) output.pollFirst();
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) bound.complete(Integer.parseInt(m.group(2)));
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                    bound.completeExceptionally(new IllegalStateException("broker exited:\n" + output()));
                },
                "memory-capped-broker-output");
        drain.setDaemon(true);
        drain.start();
        port = bound.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    int port() {
        return port;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    String output() {
        return String.join(System.lineSeparator(), output);
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

    void assertAlive() {
        assertTrue(process.isAlive(), "the broker died:\n" + output());
    }

    /** SIGTERM, then the same data directory again. */
    void restart() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        launch();
    }

    /** The log end offset of partition 0 of a topic. */
    long endOffset(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(tp)
                    .offset();
        }
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@link Survival} for a child broker. */
    static final class Baseline {
        private final MemoryCappedBroker broker;
        private final String topic = "survivor-" + UUID.randomUUID().toString().substring(0, 8);
        private final String group = topic + "-group";
        private final List<String> acknowledged = new ArrayList<>();

        private Baseline(MemoryCappedBroker broker) {
            this.broker = broker;
        }

        /** 20 records acknowledged with acks=all and offset 7 committed, like {@link Survival#before}. */
        static Baseline before(MemoryCappedBroker broker) throws Exception {
            Baseline b = new Baseline(broker);
            broker.createTopic(b.topic, 2, Map.of());
            b.produce(20);
            try (KafkaConsumer<String, String> c = consumer(broker, Map.of("group.id", b.group))) {
                TopicPartition tp = new TopicPartition(b.topic, 0);
                c.assign(List.of(tp));
                c.commitSync(Map.of(tp, new OffsetAndMetadata(7)));
            }
            return b;
        }

        /** A client on a fresh connection produces one more record and reads every acknowledged one. */
        void assertServed() throws Exception {
            broker.assertAlive();
            produce(1);
            assertEquals(acknowledged, readAll(), "a client on a fresh connection reads every acknowledged record");
        }

        void assertServedAndRestartsIntact() throws Exception {
            assertServed();
            broker.restart();
            assertEquals(acknowledged, readAll(), "every acknowledged record survives the restart");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
                OffsetAndMetadata o = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS)
                        .get(new TopicPartition(topic, 0));
                assertEquals(7L, o == null ? -1 : o.offset(), "the committed offset survives the restart");
            }
            produce(1);
            assertEquals(acknowledged, readAll());
        }

        private void produce(int n) throws Exception {
            Map<String, Object> props = new HashMap<>(Map.of(
                    "bootstrap.servers",
                    broker.bootstrap(),
                    "acks",
                    "all",
                    "max.block.ms",
                    30_000,
                    "request.timeout.ms",
                    20_000));
            try (KafkaProducer<String, String> p =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < n; i++) {
                    String value = "v" + acknowledged.size();
                    p.send(new ProducerRecord<>(topic, 0, "k", value)).get(30, TimeUnit.SECONDS);
                    acknowledged.add(value);
                }
            }
        }

        private List<String> readAll() {
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> c = consumer(broker, Map.of())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (values.size() < acknowledged.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
                }
            }
            return values;
        }

        private static KafkaConsumer<String, String> consumer(MemoryCappedBroker broker, Map<String, Object> extra) {
            Map<String, Object> props = new HashMap<>(Map.of(
                    "bootstrap.servers",
                    broker.bootstrap(),
                    "enable.auto.commit",
                    false,
                    "default.api.timeout.ms",
                    30_000,
                    "request.timeout.ms",
                    20_000));
            props.putAll(extra);
            return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        }
    }
}
