package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.ChildJvm;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stock kafka-topics and kafka-leader-election tools (kafka-tools 4.x, in a child JVM) against a cluster. */
class ClusterToolsTest {

    private static String run(String mainClass, String... args) {
        ChildJvm.Result r =
                ChildJvm.run(ChildJvm.classpath("kafka-tools"), mainClass, List.of(args), "", Duration.ofSeconds(90));
        assertEquals(0, r.exitCode(), () -> mainClass + " failed:\n" + r.output());
        return r.output();
    }

    @Test
    void describeShowsLeadersReplicasAndIsrAndLeaderElectionMovesThemBack() {
        try (SkiffCluster cluster = SkiffCluster.builder().brokers(3).start()) {
            cluster.controller()
                    .createTopic("tool", -1, -1, Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0)), Map.of());
            cluster.moveLeader("tool", 0, 2);
            cluster.moveLeader("tool", 1, 0);
            String describe = run(
                    "org.apache.kafka.tools.TopicCommand",
                    "--bootstrap-server",
                    cluster.bootstrapServers(),
                    "--describe",
                    "--topic",
                    "tool");
            assertTrue(
                    describe.matches("(?s).*Partition: 0\\s+Leader: 2\\s+Replicas: 0,1,2\\s+Isr: 0,1,2.*"), describe);
            assertTrue(
                    describe.matches("(?s).*Partition: 1\\s+Leader: 0\\s+Replicas: 1,2,0\\s+Isr: 1,2,0.*"), describe);
            assertTrue(describe.contains("ReplicationFactor: 3"), describe);

            String elected = run(
                    "org.apache.kafka.tools.LeaderElectionCommand",
                    "--bootstrap-server",
                    cluster.bootstrapServers(),
                    "--election-type",
                    "preferred",
                    "--all-topic-partitions");
            assertTrue(elected.contains("Successfully completed leader election"), elected);
            assertEquals(0, cluster.leader("tool", 0));
            assertEquals(1, cluster.leader("tool", 1));
        }
    }
}
