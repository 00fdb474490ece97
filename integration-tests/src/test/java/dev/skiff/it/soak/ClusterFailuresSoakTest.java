package dev.skiff.it.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.it.cluster.SkiffClusterTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Skiff's three-broker cluster in this process while brokers fail at random: every few seconds one broker is
 * killed (connections reset, nothing answered) or stopped (leaderships moved first), now and then a second one
 * is killed for a moment (so that acks=all meets NOT_ENOUGH_REPLICAS), and each comes back after a random time.
 * Afterwards every partition is read through each broker in turn as its leader: the copies agree, and hold
 * what the clients were told, once and in order. A soak: see {@link Soak}.
 */
class ClusterFailuresSoakTest {

    private static final int PARTITIONS = 3;

    /** kafka-clients' idempotent producer, acks=all, min.insync.replicas=2. */
    @Test
    void anIdempotentProducerLosesNothingItWasToldWasWritten() throws Exception {
        Soak soak = Soak.fromSystemProperties("ClusterFailuresSoakTest.idempotent");
        SkiffClusterTarget c = SkiffClusterTarget.start();
        try {
            createTopic(c, "soak");
            Soak.CountingProducer producer = new Soak.CountingProducer(c.bootstrap(), "soak", PARTITIONS);
            int rounds = failBrokers(c, soak, () -> producer.error() != null, producer::toString);
            producer.close();
            System.out.println("after " + rounds + " rounds: " + producer);
            assertEveryCopy(
                    c,
                    "soak",
                    "read_uncommitted",
                    p -> producer.acknowledged(p).size(),
                    (p, log) -> Soak.assertOnceInOrderWithNothingLost("soak-" + p, log, producer.acknowledged(p)));
        } finally {
            c.close();
        }
    }

    /**
     * A read-process-write loop in transactions (consume, produce the value, send the consumer's offsets,
     * commit): the output, read with read_committed, is the input once and in order. The input holds
     * {@code -Dskiff.soak.records} records (10,000 per second of the soak unless set).
     */
    @Test
    void transactionsStayExactlyOnce() throws Exception {
        Soak soak = Soak.fromSystemProperties("ClusterFailuresSoakTest.transactions");
        int count = Integer.getInteger("skiff.soak.records", soak.seconds * 10_000);
        SkiffClusterTarget c = SkiffClusterTarget.start();
        try {
            createTopic(c, "in");
            createTopic(c, "out");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Soak.producerProps(c.bootstrap()))) {
                for (int i = 0; i < count; i++)
                    p.send(new ProducerRecord<>("in", i % PARTITIONS, null, Integer.toString(i)));
                p.flush();
            }
            ReadProcessWrite loop = new ReadProcessWrite(c.bootstrap(), PARTITIONS, count);
            Thread failures = new Thread(() -> {
                try {
                    failBrokers(c, soak, loop::finished, loop::toString);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            failures.start();
            try {
                loop.run(TimeUnit.SECONDS.toNanos(soak.seconds + 600L));
            } finally {
                loop.stop();
                failures.join();
            }
            System.out.println(loop);
            assertEveryCopy(
                    c,
                    "out",
                    "read_committed",
                    p -> ReadProcessWrite.expectedOut(PARTITIONS, count, p).size(),
                    (p, log) -> Soak.assertSameLog(
                            "out-" + p + ", read_committed, against the input",
                            ReadProcessWrite.expectedOut(PARTITIONS, count, p),
                            log));
        } finally {
            c.close();
        }
    }

    /** librdkafka's idempotent producer (confluent-kafka for Python), acks=all. */
    @Test
    void librdkafkaLosesNothingItWasToldWasWritten() throws Exception {
        Soak soak = Soak.fromSystemProperties("ClusterFailuresSoakTest.librdkafka");
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        assumeTrue(
                new ProcessBuilder(python.toString(), "-c", "import confluent_kafka")
                                .start()
                                .waitFor()
                        == 0,
                "confluent-kafka is not installed (.ci/install-clients.sh)");
        SkiffClusterTarget c = SkiffClusterTarget.start();
        try {
            createTopic(c, "soak");
            Path script = Files.createTempFile("soak", ".py");
            Path delivered = Files.createTempFile("soak", ".out");
            try {
                Files.writeString(script, LIBRDKAFKA_PRODUCER);
                Process producer = new ProcessBuilder(
                                python.toString(), script.toString(), c.bootstrap(), delivered.toString())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                int rounds = failBrokers(c, soak, () -> !producer.isAlive(), () -> "");
                producer.getOutputStream().close(); // stop producing, flush, exit
                if (!producer.waitFor(5, TimeUnit.MINUTES)) fail("the librdkafka producer did not finish");
                assertEquals(0, producer.exitValue(), "the librdkafka producer's exit code");
                List<List<Integer>> acknowledged = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) acknowledged.add(new ArrayList<>());
                int failed = 0;
                for (String line : Files.readAllLines(delivered)) {
                    String[] f = line.split(" ", 4);
                    if (f[0].equals("ok"))
                        acknowledged.get(Integer.parseInt(f[1])).add(Integer.parseInt(f[2]));
                    else if (failed++ < 5) System.out.println(line);
                }
                System.out.println("after " + rounds + " rounds: " + failed + " failed");
                assertEveryCopy(
                        c,
                        "soak",
                        "read_uncommitted",
                        p -> acknowledged.get(p).size(),
                        (p, log) -> Soak.assertOnceInOrderWithNothingLost("soak-" + p, log, acknowledged.get(p)));
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(delivered);
            }
        } finally {
            c.close();
        }
    }

    /** Sends 0, 1, 2, ... round-robin to three partitions until its input closes; one line per answer. */
    private static final String LIBRDKAFKA_PRODUCER = String.join(
            "\n",
            "import sys, threading, time",
            "from confluent_kafka import Producer",
            "p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'acks': 'all',",
            "              'message.timeout.ms': 120000, 'topic.metadata.refresh.interval.ms': 1000,",
            "              'linger.ms': 2})",
            "out = open(sys.argv[2], 'w')",
            "stop = threading.Event()",
            "threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()",
            "def done(err, msg):",
            "    if err is None: out.write('ok %d %s\\n' % (msg.partition(), msg.value().decode()))",
            "    else: out.write('err %d %s %s\\n' % (msg.partition(), msg.value().decode(), err))",
            "n = 0",
            "while not stop.is_set():",
            "    try:",
            "        p.produce('soak', value=str(n), partition=n % 3, on_delivery=done)",
            "        n += 1",
            "    except BufferError:",
            "        p.poll(0.1)",
            "    p.poll(0)",
            "    if n % 25 == 0: time.sleep(0.001)",
            "if p.flush(180) != 0: sys.exit(3)",
            "out.close()",
            "");

    private static void createTopic(SkiffClusterTarget c, String name) throws Exception {
        c.admin()
                .createTopics(
                        List.of(new NewTopic(name, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * Fails brokers until the soak's time is up or {@code done} says so (each round brings its brokers back),
     * then waits until all three are live. Returns the rounds played.
     */
    private static int failBrokers(SkiffClusterTarget c, Soak soak, BooleanSupplier done, Supplier<String> progress)
            throws Exception {
        long deadline = soak.deadline();
        int rounds = 0;
        while (System.nanoTime() < deadline && !done.getAsBoolean()) {
            soak.pause(500, 3000);
            int broker = soak.random.nextInt(3);
            boolean kill = soak.random.nextBoolean();
            System.out.println(
                    "round " + ++rounds + ": " + (kill ? "kill " : "stop ") + broker + "; " + progress.get());
            if (kill) c.kill(broker);
            else c.stop(broker);
            if (soak.random.nextInt(5) == 0) {
                int second = (broker + 1 + soak.random.nextInt(2)) % 3;
                System.out.println("  and kill " + second + " for a moment");
                c.kill(second);
                soak.pause(0, 1500);
                c.restart(second);
            }
            soak.pause(300, 3000);
            c.restart(broker);
        }
        c.awaitLive(new HashSet<>(c.brokerIds()));
        return rounds;
    }

    private interface PartitionCheck {
        void check(int partition, List<Integer> log);
    }

    /**
     * Reads each partition with each broker as its leader in turn: the copies agree, and the first one passes.
     * Each read waits for an end offset of at least {@code atLeast(p)}.
     */
    private static void assertEveryCopy(
            SkiffClusterTarget c, String topic, String isolation, IntToLongFunction atLeast, PartitionCheck check)
            throws Exception {
        c.awaitFullIsr(topic);
        for (int p = 0; p < PARTITIONS; p++) {
            List<Integer> first = null;
            for (int leader = 0; leader < 3; leader++) {
                c.cluster().moveLeader(topic, p, leader);
                List<Integer> log = Soak.readAll(c.bootstrap(), topic, p, isolation, atLeast.applyAsLong(p));
                if (first == null) first = log;
                else Soak.assertSameLog(topic + "-" + p + " led by " + leader + " against led by 0", first, log);
            }
            check.check(p, first);
        }
    }
}
