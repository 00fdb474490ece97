package dev.skiff.it.soak;

import dev.skiff.it.FreePorts;
import dev.skiff.it.durability.ChildBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The standalone broker with {@code --brokers 3} in a child process, SIGKILLed at random moments and started
 * again on the same data dir while an idempotent acks=all producer runs: all three brokers crash together, so
 * each restart recovers every log without a clean shutdown, reloads the controller's metadata and elects from
 * it. Afterwards (and after one more crash at rest) every acknowledged record is stored, once, in order.
 * A soak: see {@link Soak}.
 */
class ClusterCrashSoakTest {

    private static final int PARTITIONS = 3;

    @Test
    void crashesOfTheWholeClusterLoseNothingAcknowledged() throws Exception {
        Soak soak = Soak.fromSystemProperties("ClusterCrashSoakTest");
        Path data = Files.createTempDirectory("crash-soak");
        int port = FreePorts.distinct(1)[0];
        List<String> flags = List.of(
                "--brokers", "3",
                "--override", "default.replication.factor=3",
                "--override", "min.insync.replicas=2",
                "--override", "offsets.topic.replication.factor=3");
        String bootstrap = "127.0.0.1:" + port + ",127.0.0.2:" + port + ",127.0.0.3:" + port;
        ChildBroker broker = start(data, port, flags, bootstrap);
        try {
            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic("crash", PARTITIONS, (short) 3)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            Soak.CountingProducer producer = new Soak.CountingProducer(bootstrap, "crash", PARTITIONS);
            long deadline = soak.deadline();
            int rounds = 0;
            while (System.nanoTime() < deadline && producer.error() == null) {
                soak.pause(1000, 5000);
                System.out.println("round " + ++rounds + ": SIGKILL; " + producer);
                broker.kill();
                if (soak.random.nextBoolean()) soak.pause(0, 2000);
                broker = start(data, port, flags, bootstrap);
            }
            producer.close();
            System.out.println("after " + rounds + " rounds: " + producer);
            broker.kill(); // once more, at rest
            broker = start(data, port, flags, bootstrap);
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> acknowledged = producer.acknowledged(p);
                List<Integer> log = Soak.readAll(bootstrap, "crash", p, "read_uncommitted", acknowledged.size());
                Soak.assertOnceInOrderWithNothingLost("crash-" + p, log, acknowledged);
            }
        } finally {
            broker.kill();
        }
    }

    private static ChildBroker start(Path data, int port, List<String> flags, String bootstrap) throws Exception {
        ChildBroker broker = ChildBroker.start(List.of(), data, port, flags, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = admin(bootstrap)) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 3) return broker;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline)
                        throw new IllegalStateException("the cluster did not come up:\n" + broker.output(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
