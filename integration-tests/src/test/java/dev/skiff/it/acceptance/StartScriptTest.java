package dev.skiff.it.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/skiff-server} as a user runs it. The build unpacks Netty's native epoll library beside the jar
 * ({@code skiff-server-native/}) and the script puts that directory on {@code java.library.path}, so the library is
 * mapped from there rather than copied out of the jar at every start. A broken library in that place (a truncated
 * file, a failed copy) must not stop the broker: Netty then takes the jar's own copy, as it does when the directory
 * is missing. Nor may a space in the jar's path (the script hands the JVM each path as one word). Each case
 * serves a real producer and consumer (zstd, so the compression library's own native code loads beside Netty's);
 * the first two restart with every record.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StartScriptTest {

    private static final Path SCRIPT =
            Path.of("..", "bin", "skiff-server").toAbsolutePath().normalize();
    private static final Path NATIVE_DIR = StandaloneJar.PATH.resolveSibling("skiff-server-native");
    private static final String LIBRARY = "libnetty_transport_native_epoll_x86_64.so";
    private static final Pattern LISTENING = Pattern.compile("Skiff is listening on 127\\.0\\.0\\.1:(\\d+) .*");
    private static final int RECORDS = 500;

    @TempDir
    Path work;

    @BeforeEach
    void theJarAndItsLibraryAreBuilt() {
        assumeTrue(Files.isRegularFile(StandaloneJar.PATH), "the standalone jar is not built");
        assumeTrue(Epoll.isAvailable(), "Netty's native epoll does not load here");
        assumeTrue(Files.isRegularFile(NATIVE_DIR.resolve(LIBRARY)), "the build did not unpack the library");
    }

    @Test
    void theLibraryIsMappedFromBesideTheJar() throws Exception {
        Path data = work.resolve("data");
        try (Started broker = Started.run(Map.of(), data)) {
            assertTrue(broker.log.contains("epoll"), broker.log);
            List<String> mapped = broker.mappedNettyLibraries();
            assertFalse(mapped.isEmpty(), "Netty's library is mapped");
            assertTrue(mapped.stream().allMatch(p -> Path.of(p).startsWith(NATIVE_DIR)), mapped.toString());
            Path archive = StandaloneJar.PATH.resolveSibling("skiff-server.jsa");
            if (Files.isRegularFile(archive)) {
                assertFalse(broker.mapped("skiff-server.jsa").isEmpty(), "the class-data archive is mapped");
            }
            produce(broker.port);
            assertEquals(RECORDS, consume(broker.port));
        }
        try (Started again = Started.run(Map.of(), data)) {
            assertEquals(RECORDS, consume(again.port), "every record after a restart");
        }
    }

    @Test
    void aJarWhosePathHoldsASpaceStartsWithItsLibrary() throws Exception {
        Path dir = Files.createDirectories(work.resolve("my brokers"));
        Path jar = Files.copy(StandaloneJar.PATH, dir.resolve("skiff-server.jar"));
        Path nativeDir = Files.createDirectories(dir.resolve("skiff-server-native"));
        Files.copy(NATIVE_DIR.resolve(LIBRARY), nativeDir.resolve(LIBRARY));
        Path data = work.resolve("data with space");
        try (Started broker = Started.run(Map.of("SKIFF_JAR", jar.toString()), data)) {
            List<String> mapped = broker.mappedNettyLibraries();
            assertFalse(mapped.isEmpty(), "Netty's library is mapped");
            assertTrue(mapped.stream().allMatch(p -> Path.of(p).startsWith(nativeDir)), mapped.toString());
            produce(broker.port);
            assertEquals(RECORDS, consume(broker.port));
        }
    }

    @Test
    void aBrokenLibraryBesideTheJarFallsBackToTheJarsOwnCopy() throws Exception {
        Path jar = Files.copy(StandaloneJar.PATH, work.resolve("skiff-server.jar"));
        Path broken = Files.createDirectories(work.resolve("skiff-server-native"));
        byte[] header = Files.readAllBytes(NATIVE_DIR.resolve(LIBRARY));
        // an ELF header cut short: what a copy interrupted by a full disk leaves
        Files.write(broken.resolve(LIBRARY), Arrays.copyOf(header, 300));
        Path data = work.resolve("data");
        try (Started broker = Started.run(Map.of("SKIFF_JAR", jar.toString()), data)) {
            assertTrue(broker.log.contains("epoll"), "still on epoll: " + broker.log);
            List<String> mapped = broker.mappedNettyLibraries();
            assertFalse(mapped.isEmpty(), "Netty's library is mapped");
            assertTrue(mapped.stream().noneMatch(p -> Path.of(p).startsWith(broken)), mapped.toString());
            produce(broker.port);
            assertEquals(RECORDS, consume(broker.port));
        }
        Files.delete(broken.resolve(LIBRARY));
        Files.delete(broken); // and with no directory at all
        try (Started again = Started.run(Map.of("SKIFF_JAR", jar.toString()), data)) {
            assertTrue(again.log.contains("epoll"), again.log);
            assertEquals(RECORDS, consume(again.port), "every record after a restart");
        }
    }

    /** A broker started by the script, stopped with SIGTERM (and checked to have stopped cleanly) at close. */
    private static final class Started implements AutoCloseable {
        final Process process;
        final BufferedReader stdout;
        final int port;
        final String log;

        private Started(Process process, BufferedReader stdout, int port, String log) {
            this.process = process;
            this.stdout = stdout;
            this.port = port;
            this.log = log;
        }

        static Started run(Map<String, String> env, Path data) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "--port", "0", "--data-dir", data.toString())
                    .redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.matches()) return new Started(p, r, Integer.parseInt(m.group(1)), seen.toString());
            }
            p.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the script exited without listening:\n" + seen);
        }

        /** The files Netty's native library is mapped from in the broker's process. */
        List<String> mappedNettyLibraries() throws Exception {
            return mapped("netty_transport_native_epoll");
        }

        /** The files mapped in the broker's process whose path holds {@code name}. */
        List<String> mapped(String name) throws Exception {
            List<String> paths = new ArrayList<>();
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/maps"))) {
                int slash = l.indexOf('/');
                if (slash >= 0 && l.substring(slash).contains(name)) paths.add(l.substring(slash));
            }
            return paths;
        }

        @Override
        public void close() throws Exception {
            process.toHandle().destroy(); // SIGTERM: the broker's own orderly stop
            while (stdout.readLine() != null) {} // drained, so a full pipe cannot hold the stop up
            if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
            int exit = process.waitFor();
            assertTrue(exit == 143 || exit == 0, "stopped cleanly, exit " + exit);
        }
    }

    private static void produce(int port) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:" + port);
        props.put("acks", "all");
        props.put("compression.type", "zstd");
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) p.send(new ProducerRecord<>("started", 0, "k" + i, "v" + i));
            p.flush();
        }
    }

    private static int consume(int port) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:" + port);
        int seen = 0;
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("started", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    assertEquals("k" + seen, r.key());
                    assertEquals("v" + seen, r.value());
                    seen++;
                }
            }
        }
        return seen;
    }
}
