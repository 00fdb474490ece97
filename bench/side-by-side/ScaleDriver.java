import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client side of {@code scale.py}: loads a broker with many partitions, connections or consumer groups
 * through kafka-clients and measures what a client sees. Every command prints its figures on one line starting
 * with {@code RESULT} ({@code key=value} pairs); the stepped commands ({@code connections}, {@code groups}) print
 * a {@code STEP} line once each step is in place and wait for a line on standard input before the next, so the
 * harness can read the broker's memory in between. Nothing here waits without a deadline.
 *
 * <p>Run with the Kafka tools' classpath (source-file mode, nothing to build):
 * {@code java -cp "$(cat bench/side-by-side/target/kafka-classpath.txt)" bench/side-by-side/ScaleDriver.java
 * COMMAND BOOTSTRAP ARGS...}
 * <ul>
 *   <li>{@code create-topics B PREFIX FROM TO PARTITIONS}: topics PREFIX-FROM .. PREFIX-(TO-1), in batches of 100
 *   <li>{@code await-ready B PREFIX TOPICS PARTITIONS TIMEOUT_S}: until Metadata lists them all with leaders;
 *       prints the wall-clock time (epoch ms) it saw that
 *   <li>{@code metadata B REPEATS}: times a Metadata v12 request for all topics over a raw socket
 *   <li>{@code produce-all B PREFIX TOPICS PARTITIONS}: one 100-byte record to every partition (twice: the first
 *       pass also fetches every topic's metadata; the second is the figure)
 *   <li>{@code connections B STEP,STEP,...}: idle connections (ApiVersions, then nothing), while 4 producers send
 *       200 records/s in all and their latencies are kept
 *   <li>{@code groups B STEP,STEP,...}: consumer groups of 3 members (classic protocol, heartbeats), while a
 *       producer sends 500 records/s; per step the p99 produce latency while the new groups join, and at the end
 *       while every group rebalances at once
 * </ul>
 */
public class ScaleDriver {

    public static void main(String[] args) throws Exception {
        String command = args[0], bootstrap = args[1];
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        switch (command) {
            case "create-topics" -> createTopics(bootstrap, rest[0], Integer.parseInt(rest[1]),
                    Integer.parseInt(rest[2]), Integer.parseInt(rest[3]));
            case "await-ready" -> awaitReady(bootstrap, rest[0], Integer.parseInt(rest[1]), Integer.parseInt(rest[2]),
                    Integer.parseInt(rest[3]));
            case "metadata" -> metadata(bootstrap, Integer.parseInt(rest[0]));
            case "produce-all" -> produceAll(bootstrap, rest[0], Integer.parseInt(rest[1]), Integer.parseInt(rest[2]));
            case "connections" -> connections(bootstrap, steps(rest[0]));
            case "groups" -> groups(bootstrap, steps(rest[0]));
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
        System.exit(0); // clients' daemon threads must not keep a finished step alive
    }

    private static int[] steps(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static Properties common(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("request.timeout.ms", "120000");
        p.put("default.api.timeout.ms", "300000");
        return p;
    }

    // ---- partitions ---------------------------------------------------------------------------------------

    static void createTopics(String bootstrap, String prefix, int from, int to, int partitions) throws Exception {
        long start = System.nanoTime();
        try (Admin admin = Admin.create(common(bootstrap))) {
            for (int base = from; base < to; base += 100) {
                List<NewTopic> batch = new ArrayList<>();
                for (int t = base; t < Math.min(to, base + 100); t++)
                    batch.add(new NewTopic(prefix + "-" + t, partitions, (short) 1));
                admin.createTopics(batch).all().get(300, TimeUnit.SECONDS);
            }
        }
        System.out.printf("RESULT create_s=%.3f%n", (System.nanoTime() - start) / 1e9);
    }

    static void awaitReady(String bootstrap, String prefix, int topics, int partitions, int timeoutS)
            throws Exception {
        Properties p = common(bootstrap);
        p.put("reconnect.backoff.ms", "20");
        p.put("reconnect.backoff.max.ms", "50");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, List<PartitionInfo>> all = c.listTopics(Duration.ofSeconds(5));
                    int ready = 0;
                    for (int t = 0; t < topics; t++) {
                        List<PartitionInfo> ps = all.get(prefix + "-" + t);
                        if (ps == null || ps.size() != partitions) continue;
                        if (ps.stream().allMatch(pi -> pi.leader() != null && pi.leader().id() >= 0)) ready++;
                    }
                    if (ready == topics) {
                        System.out.printf("RESULT ready_at_ms=%d%n", System.currentTimeMillis());
                        return;
                    }
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    // not up yet
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("not ready within " + timeoutS + " s");
    }

    /** Metadata v12 for all topics (topics = null), written by hand so no client library time is in it. */
    static void metadata(String bootstrap, int repeats) throws Exception {
        String[] hp = bootstrap.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 10_000);
            s.setSoTimeout(120_000);
            s.setTcpNoDelay(true);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16));
            long[] micros = new long[repeats];
            int bytes = 0;
            byte[] client = "scale".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < repeats; i++) {
                java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
                DataOutputStream f = new DataOutputStream(frame);
                f.writeShort(3); // Metadata
                f.writeShort(12);
                f.writeInt(i + 1);
                f.writeShort(client.length);
                f.write(client);
                f.writeByte(0); // header tagged fields
                f.writeByte(0); // topics: null (all)
                f.writeByte(0); // allow_auto_topic_creation
                f.writeByte(0); // include_topic_authorized_operations
                f.writeByte(0); // body tagged fields
                long start = System.nanoTime();
                out.writeInt(frame.size());
                frame.writeTo(out);
                out.flush();
                int size = in.readInt();
                in.skipNBytes(size);
                micros[i] = (System.nanoTime() - start) / 1000;
                bytes = size;
            }
            Arrays.sort(micros);
            System.out.printf(
                    "RESULT metadata_ms_median=%.2f metadata_ms_min=%.2f metadata_ms_max=%.2f metadata_bytes=%d%n",
                    micros[repeats / 2] / 1000.0, micros[0] / 1000.0, micros[repeats - 1] / 1000.0, bytes);
        }
    }

    static void produceAll(String bootstrap, String prefix, int topics, int partitions) throws Exception {
        Properties p = common(bootstrap);
        p.put("acks", "1");
        p.put("linger.ms", "5");
        p.put("max.block.ms", "300000");
        byte[] value = new byte[100];
        double[] seconds = new double[2];
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int pass = 0; pass < 2; pass++) {
                long start = System.nanoTime();
                AtomicInteger failed = new AtomicInteger();
                CountDownLatch done = new CountDownLatch(topics * partitions);
                for (int t = 0; t < topics; t++) {
                    for (int q = 0; q < partitions; q++) {
                        producer.send(new ProducerRecord<>(prefix + "-" + t, q, null, value), (m, e) -> {
                            if (e != null) failed.incrementAndGet();
                            done.countDown();
                        });
                    }
                }
                if (!done.await(300, TimeUnit.SECONDS)) throw new IllegalStateException("produce timed out");
                if (failed.get() > 0) throw new IllegalStateException(failed.get() + " sends failed");
                seconds[pass] = (System.nanoTime() - start) / 1e9;
            }
        }
        System.out.printf("RESULT produce_all_first_s=%.3f produce_all_s=%.3f%n", seconds[0], seconds[1]);
    }

    // ---- connections ----------------------------------------------------------------------------------------

    /** Produce latencies (micros) of a steady background load, taken out per step. */
    static final class LatencyProbe implements AutoCloseable {
        private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        private final ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        final AtomicInteger failures = new AtomicInteger();

        LatencyProbe(String bootstrap, String topic, int producerCount, int recordsPerSecond) {
            Properties p = common(bootstrap);
            p.put("acks", "1");
            p.put("linger.ms", "0");
            for (int i = 0; i < producerCount; i++)
                producers.add(new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
            byte[] value = new byte[100];
            long intervalNanos = 1_000_000_000L / recordsPerSecond;
            thread = new Thread(() -> {
                long next = System.nanoTime();
                int i = 0;
                while (running.get()) {
                    long sent = System.nanoTime();
                    producers.get(i++ % producers.size()).send(new ProducerRecord<>(topic, value), (m, e) -> {
                        if (e != null) failures.incrementAndGet();
                        else micros.add((System.nanoTime() - sent) / 1000);
                    });
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) LockSupportSleep.nanos(wait);
                    else next = System.nanoTime(); // behind: do not burst to catch up
                }
            }, "latency-probe");
            thread.setDaemon(true);
            thread.start();
        }

        /** p50, p99 and max (ms) of the latencies since the last call, and how many. */
        String takeWindow(String name) {
            List<Long> window = new ArrayList<>();
            for (Long v; (v = micros.poll()) != null; ) window.add(v);
            if (window.isEmpty()) return name + "_n=0";
            window.sort(null);
            return String.format("%s_n=%d %s_p50_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f", name, window.size(), name,
                    window.get(window.size() / 2) / 1000.0, name,
                    window.get((int) Math.min(window.size() - 1, Math.ceil(window.size() * 0.99) - 1)) / 1000.0,
                    name, window.get(window.size() - 1) / 1000.0);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            for (KafkaProducer<byte[], byte[]> p : producers) p.close(Duration.ofSeconds(10));
        }
    }

    static final class LockSupportSleep {
        static void nanos(long n) {
            java.util.concurrent.locks.LockSupport.parkNanos(n);
        }
    }

    private static final BufferedReader STDIN =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    /** Tells the harness a step is in place and waits for it to have measured the broker. */
    private static void stepDone(String line) throws IOException {
        System.out.println("STEP " + line);
        System.out.flush();
        if (STDIN.readLine() == null) System.exit(0);
    }

    /** An ApiVersions v0 exchange, then the socket stays open and silent. */
    private static Socket idleConnection(String host, int port, int id) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(60_000);
        byte[] client = "idle".getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(2 + 2 + 4 + 2 + client.length);
        out.writeShort(18); // ApiVersions
        out.writeShort(0);
        out.writeInt(id);
        out.writeShort(client.length);
        out.write(client);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        in.skipNBytes(in.readInt());
        return s;
    }

    static void connections(String bootstrap, int[] steps) throws Exception {
        String[] hp = bootstrap.split(":");
        try (Admin admin = Admin.create(common(bootstrap))) {
            admin.createTopics(List.of(new NewTopic("conn-probe", 4, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        List<Socket> open = new ArrayList<>();
        try (LatencyProbe probe = new LatencyProbe(bootstrap, "conn-probe", 4, 200)) {
            Thread.sleep(3000); // the producers' first metadata and connections, out of the windows
            probe.takeWindow("warm");
            stepDone("connections=0 " + probe.takeWindow("lat"));
            for (int step : steps) {
                while (open.size() < step) open.add(idleConnection(hp[0], Integer.parseInt(hp[1]), open.size()));
                Thread.sleep(2000);
                stepDone("connections=" + open.size() + " " + probe.takeWindow("lat"));
            }
            System.out.println("RESULT failures=" + probe.failures.get());
        } finally {
            for (Socket s : open) s.close();
        }
    }

    // ---- groups ---------------------------------------------------------------------------------------------

    static final class Member {
        final KafkaConsumer<byte[], byte[]> consumer;
        volatile boolean assigned;
        volatile boolean closing;

        Member(Properties p, String topic) {
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
        }
    }

    /** Members are polled by a few threads, each owning a fixed set (a consumer is used by one thread only). */
    static final class Pollers {
        static final int THREADS = 4;
        final List<ConcurrentLinkedQueue<Member>> owned = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        /** How long each member's close took (ms): a slow LeaveGroup or fetch holds its poller thread. */
        final ConcurrentLinkedQueue<Long> closeMillis = new ConcurrentLinkedQueue<>();
        int next;

        Pollers() {
            for (int i = 0; i < THREADS; i++) {
                ConcurrentLinkedQueue<Member> mine = new ConcurrentLinkedQueue<>();
                owned.add(mine);
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        for (Member m : mine) {
                            if (m.closing) {
                                mine.remove(m);
                                long start = System.nanoTime();
                                m.consumer.close(Duration.ofSeconds(5));
                                closeMillis.add((System.nanoTime() - start) / 1_000_000);
                                continue;
                            }
                            try {
                                m.consumer.poll(Duration.ZERO);
                                m.assigned = !m.consumer.assignment().isEmpty();
                            } catch (RuntimeException e) {
                                m.assigned = false;
                            }
                        }
                        LockSupportSleep.nanos(TimeUnit.MILLISECONDS.toNanos(50));
                    }
                    for (Member m : mine) m.consumer.close(Duration.ofSeconds(2));
                }, "pollers-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void add(Member m) {
            owned.get(next++ % THREADS).add(m);
        }

        void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(60_000);
        }
    }

    static Properties memberProps(String bootstrap, String group) {
        Properties p = common(bootstrap);
        p.put("group.id", group);
        p.put("group.protocol", "classic");
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "latest");
        p.put("session.timeout.ms", "45000");
        p.put("heartbeat.interval.ms", "3000");
        p.put("max.poll.interval.ms", "300000");
        return p;
    }

    private static boolean awaitAssigned(List<List<Member>> groups, int timeoutS) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (List<Member> g : groups) for (Member m : g) all &= m.assigned;
            if (all) return true;
            Thread.sleep(50);
        }
        return false;
    }

    static void groups(String bootstrap, int[] steps) throws Exception {
        try (Admin admin = Admin.create(common(bootstrap))) {
            admin.createTopics(List.of(new NewTopic("group-probe", 4, (short) 1), new NewTopic("grouped", 3, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        Pollers pollers = new Pollers();
        List<List<Member>> groups = new ArrayList<>();
        try (LatencyProbe probe = new LatencyProbe(bootstrap, "group-probe", 1, 500)) {
            Thread.sleep(3000);
            probe.takeWindow("warm");
            stepDone("groups=0 " + probe.takeWindow("lat"));
            for (int step : steps) {
                List<List<Member>> added = new ArrayList<>();
                long start = System.nanoTime();
                while (groups.size() < step) {
                    String id = "scale-group-" + groups.size();
                    List<Member> g = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        Member m = new Member(memberProps(bootstrap, id), "grouped");
                        g.add(m);
                        pollers.add(m);
                    }
                    groups.add(g);
                    added.add(g);
                }
                boolean stable = awaitAssigned(groups, 300);
                double joinS = (System.nanoTime() - start) / 1e9;
                String during = probe.takeWindow("lat");
                Thread.sleep(2000);
                probe.takeWindow("settle");
                stepDone(String.format("groups=%d stable=%s join_s=%.2f %s", groups.size(), stable, joinS, during));
            }
            // Every group rebalances at once: one member of each leaves and a new one takes its place.
            long start = System.nanoTime();
            for (int i = 0; i < groups.size(); i++) {
                List<Member> g = groups.get(i);
                Member leaving = g.remove(0);
                leaving.assigned = false;
                leaving.closing = true;
                Member m = new Member(memberProps(bootstrap, "scale-group-" + i), "grouped");
                g.add(m);
                pollers.add(m);
            }
            Thread.sleep(200);
            boolean stable = awaitAssigned(groups, 300);
            double rebalanceS = (System.nanoTime() - start) / 1e9;
            List<Long> closes = new ArrayList<>(pollers.closeMillis);
            closes.sort(null);
            System.out.printf(
                    "RESULT rebalance_groups=%d stable=%s rebalance_s=%.2f %s failures=%d close_ms_median=%d"
                            + " close_ms_max=%d%n",
                    groups.size(), stable, rebalanceS, probe.takeWindow("rebalance"), probe.failures.get(),
                    closes.isEmpty() ? -1 : closes.get(closes.size() / 2),
                    closes.isEmpty() ? -1 : closes.get(closes.size() - 1));
        } finally {
            pollers.close();
        }
    }
}
