package dev.skiff.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's rules without sockets: placement, fencing and elections, AlterPartition, the metadata log. */
class ClusterControllerTest {

    @TempDir
    Path root;

    private static ClusterController started(ClusterController c, int brokers) {
        for (int i = 0; i < brokers; i++) c.register(new BrokerEndpoint(i, "127.0.0." + (i + 1), 9092, null));
        return c;
    }

    private ClusterController open(BrokerConfig config) {
        return ClusterController.open(config, root);
    }

    @Test
    void placementSpreadsLeadersAndReplicas() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 3);
        TopicImage t = c.createTopic("t", 6, 3, null, Map.of());
        Map<Integer, Integer> leaders = new java.util.HashMap<>();
        for (PartitionRegistration p : t.partitions()) {
            assertEquals(3, new HashSet<>(p.replicas()).size(), "distinct replicas " + p);
            assertEquals(p.replicas(), p.isr());
            assertEquals(p.replicas().get(0), p.leader());
            assertEquals(0, p.leaderEpoch());
            leaders.merge(p.leader(), 1, Integer::sum);
        }
        assertEquals(Map.of(0, 2, 1, 2, 2, 2), leaders);
        assertEquals(0, c.image().controllerId());
        assertEquals(Set.of(0, 1, 2), c.image().liveBrokers());
    }

    @Test
    void replicationFactorIsBoundedByLiveBrokersAndDefaultsToOne() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 2);
        ApiException e = assertThrows(ApiException.class, () -> c.createTopic("t", 1, 3, null, Map.of()));
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, e.error());
        assertEquals(
                1,
                c.createTopic("d", 2, -1, null, Map.of())
                        .partition(0)
                        .replicas()
                        .size());
        ClusterController three =
                started(ClusterController.inMemory(BrokerConfig.defaults().with("default.replication.factor", "3")), 3);
        assertEquals(
                3,
                three.createTopic("d", 1, -1, null, Map.of())
                        .partition(0)
                        .replicas()
                        .size());
    }

    @Test
    void assignmentsAreChecked() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 3);
        assertEquals(
                Errors.INVALID_REPLICA_ASSIGNMENT,
                assertThrows(ApiException.class, () -> c.createTopic("a", -1, -1, Map.of(0, List.of(1, 1)), Map.of()))
                        .error());
        assertEquals(
                Errors.INVALID_REPLICA_ASSIGNMENT,
                assertThrows(ApiException.class, () -> c.createTopic("a", -1, -1, Map.of(0, List.of(7)), Map.of()))
                        .error());
        assertEquals(
                Errors.POLICY_VIOLATION,
                assertThrows(ApiException.class, () -> c.createTopic("a", 1_000_000, 1, null, Map.of()))
                        .error());
        assertEquals(
                Errors.TOPIC_ALREADY_EXISTS,
                assertThrows(ApiException.class, () -> {
                            c.createTopic("b", 1, 1, null, Map.of());
                            c.createTopic("b", 1, 1, null, Map.of());
                        })
                        .error());
        TopicImage t = c.createTopic("m", -1, -1, Map.of(0, List.of(2, 0), 1, List.of(1, 2)), Map.of());
        assertEquals(List.of(2, 0), t.partition(0).replicas());
        assertEquals(2, t.partition(0).leader());
    }

    @Test
    void fenceElectsFromIsrAndRegisterBringsTheBrokerBack() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 3);
        c.createTopic("t", -1, -1, Map.of(0, List.of(0, 1, 2)), Map.of());
        List<MetadataImage> seen = new ArrayList<>();
        c.subscribe(1, seen::add);
        c.fence(0);
        PartitionRegistration p = c.image().partition("t", 0);
        assertEquals(1, p.leader());
        assertEquals(1, p.leaderEpoch());
        assertEquals(List.of(1, 2), p.isr());
        assertEquals(List.of(0), p.offlineReplicas(c.image().liveBrokers()));
        assertEquals(1, c.image().controllerId());
        assertEquals(2, seen.size());
        c.fence(1);
        c.fence(2);
        p = c.image().partition("t", 0);
        assertFalse(p.hasLeader(), "no leader when the whole ISR is gone");
        assertEquals(List.of(2), p.isr(), "the last ISR member stays");
        c.register(new BrokerEndpoint(0, "127.0.0.1", 9092, null));
        assertFalse(c.image().partition("t", 0).hasLeader(), "0 is not in the ISR: no unclean election");
        c.register(new BrokerEndpoint(2, "127.0.0.3", 9092, null));
        assertEquals(2, c.image().partition("t", 0).leader());
        assertTrue(c.image().isAlive(2));
    }

    @Test
    void uncleanElectionOnlyWhenEnabled() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 2);
        c.createTopic("clean", -1, -1, Map.of(0, List.of(0, 1)), Map.of());
        c.createTopic("dirty", -1, -1, Map.of(0, List.of(0, 1)), Map.of(ClusterController.UNCLEAN, "true"));
        c.alterPartition(0, new TopicPartition("clean", 0), 0, 0, List.of(0));
        c.alterPartition(0, new TopicPartition("dirty", 0), 0, 0, List.of(0));
        c.fence(0);
        assertFalse(c.image().partition("clean", 0).hasLeader());
        assertEquals(1, c.image().partition("dirty", 0).leader());
        assertEquals(List.of(1), c.image().partition("dirty", 0).isr());
        Map<TopicPartition, Errors> r = c.electLeaders(false, List.of(new TopicPartition("clean", 0)));
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE, r.get(new TopicPartition("clean", 0)));
        r = c.electLeaders(true, List.of(new TopicPartition("clean", 0)));
        assertEquals(Errors.NONE, r.get(new TopicPartition("clean", 0)));
        assertEquals(1, c.image().partition("clean", 0).leader());
    }

    @Test
    void preferredElectionMovesLeadershipBack() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 3);
        c.createTopic("t", -1, -1, Map.of(0, List.of(0, 1, 2)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(
                Errors.ELECTION_NOT_NEEDED, c.electLeaders(false, List.of(tp)).get(tp));
        c.moveLeader(tp, 2);
        assertEquals(2, c.image().partition("t", 0).leader());
        assertEquals(Errors.NONE, c.electLeaders(false, List.of(tp)).get(tp));
        assertEquals(0, c.image().partition("t", 0).leader());
        assertEquals(2, c.image().partition("t", 0).leaderEpoch());
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION,
                c.electLeaders(false, List.of(new TopicPartition("nope", 0))).get(new TopicPartition("nope", 0)));
    }

    @Test
    void staleAlterPartitionIsRefused() {
        ClusterController c = started(ClusterController.inMemory(BrokerConfig.defaults()), 3);
        c.createTopic("t", -1, -1, Map.of(0, List.of(0, 1, 2)), Map.of());
        TopicPartition tp = new TopicPartition("t", 0);
        PartitionRegistration p = c.alterPartition(0, tp, 0, 0, List.of(0, 1));
        assertEquals(List.of(0, 1), p.isr());
        assertEquals(1, p.partitionEpoch());
        assertEquals(
                Errors.INVALID_UPDATE_VERSION,
                assertThrows(ApiException.class, () -> c.alterPartition(0, tp, 0, 0, List.of(0)))
                        .error());
        assertEquals(
                Errors.NOT_LEADER_OR_FOLLOWER,
                assertThrows(ApiException.class, () -> c.alterPartition(1, tp, 0, 1, List.of(0, 1)))
                        .error());
        c.fence(2);
        assertEquals(
                Errors.INELIGIBLE_REPLICA,
                assertThrows(ApiException.class, () -> c.alterPartition(0, tp, 0, 1, List.of(0, 1, 2)))
                        .error());
        c.moveLeader(tp, 1);
        assertEquals(
                Errors.FENCED_LEADER_EPOCH,
                assertThrows(ApiException.class, () -> c.alterPartition(0, tp, 0, 2, List.of(0)))
                        .error());
    }

    @Test
    void restartReplaysTheLog() {
        MetadataImage before;
        try (ClusterController c = started(open(BrokerConfig.defaults()), 3)) {
            c.createTopic("t", 4, 2, null, Map.of("retention.ms", "1000"));
            c.createTopic("gone", 1, 1, null, Map.of());
            c.createPartitions("t", 6, null);
            c.alterTopicConfigs("t", Map.of("cleanup.policy", "compact"));
            c.deleteTopic("gone");
            c.fence(1);
            c.moveLeader(
                    new TopicPartition("t", 0),
                    c.image().partition("t", 0).isr().get(0));
            before = c.image();
        }
        try (ClusterController c = open(BrokerConfig.defaults())) {
            MetadataImage after = c.image();
            assertEquals(before.topics(), after.topics());
            assertEquals(before.registeredBrokers(), after.registeredBrokers());
            assertEquals(Map.of("cleanup.policy", "compact"), after.topic("t").configs());
            assertEquals(6, after.topic("t").partitions().size());
            assertTrue(after.liveBrokers().isEmpty(), "brokers register again when they start");
            started(c, 3);
            assertEquals(Set.of(0, 1, 2), c.image().liveBrokers());
        }
    }

    @Test
    void tornTailIsTruncatedAtStart() throws IOException {
        Path file = root.resolve("__cluster_metadata").resolve("metadata.log");
        try (ClusterController c = started(open(BrokerConfig.defaults()), 1)) {
            c.createTopic("kept", 1, 1, null, Map.of());
        }
        long whole = Files.size(file);
        try (ClusterController c = open(BrokerConfig.defaults())) {
            started(c, 1);
            c.createTopic("torn", 1, 1, null, Map.of());
        }
        long withTorn = Files.size(file);
        // cut the last frame in half, as a crash in the middle of a write leaves it
        try (var ch = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
            ch.truncate(withTorn - 5);
        }
        try (ClusterController c = open(BrokerConfig.defaults())) {
            assertTrue(c.image().topics().containsKey("kept"));
            assertFalse(c.image().topics().containsKey("torn"));
            started(c, 1);
            c.createTopic("after", 1, 1, null, Map.of());
        }
        assertNotEquals(whole, Files.size(file));
        try (ClusterController c = open(BrokerConfig.defaults())) {
            assertEquals(Set.of("kept", "after"), c.image().topics().keySet());
        }
        // a flipped byte fails the CRC: that frame and what follows are dropped
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x55;
        Files.write(file, bytes);
        try (ClusterController c = open(BrokerConfig.defaults())) {
            assertEquals(Set.of("kept"), c.image().topics().keySet());
        }
    }

    @Test
    void unregisterRemovesAStoppedBrokerAndBouncesALiveOne() {
        try (ClusterController c = started(open(BrokerConfig.defaults()), 3)) {
            c.createTopic("u", 3, 2, null, Map.of());
            ApiException e = assertThrows(ApiException.class, () -> c.unregister(7));
            assertEquals(Errors.BROKER_ID_NOT_REGISTERED, e.error());
            // a stopped broker: gone from the registrations, written to the log
            c.fence(2);
            c.unregister(2);
            assertFalse(c.image().registeredBrokers().containsKey(2));
            assertEquals(
                    Errors.BROKER_ID_NOT_REGISTERED,
                    assertThrows(ApiException.class, () -> c.unregister(2)).error());
            // a live broker gives up its leaderships (new leader epochs), then registers again at once
            int epochsBefore = 0;
            for (PartitionRegistration p : c.image().topic("u").partitions()) epochsBefore += p.leaderEpoch();
            c.unregister(1);
            assertTrue(c.image().registeredBrokers().containsKey(1));
            assertTrue(c.image().isAlive(1));
            int epochsAfter = 0;
            for (PartitionRegistration p : c.image().topic("u").partitions()) epochsAfter += p.leaderEpoch();
            assertTrue(epochsAfter > epochsBefore, "the leaderships of broker 1 moved");
        }
        // the removal is in the metadata log: a restart does not bring broker 2 back
        try (ClusterController c = open(BrokerConfig.defaults())) {
            assertFalse(c.image().registeredBrokers().containsKey(2));
            assertTrue(c.image().registeredBrokers().containsKey(1));
        }
    }
}
