package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.ChildJvm;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Kafka 4.1's tools whose APIs a single Skiff broker used to refuse with UNSUPPORTED_VERSION:
 * kafka-leader-election, kafka-reassign-partitions (--list, and --execute of the replicas a partition already has),
 * kafka-client-metrics --list, kafka-delegation-tokens and kafka-metadata-quorum. The assertions read what the tools print.
 */
class SmallAdminToolsTest {

    private static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
    private static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final String CLIENT_METRICS = "org.apache.kafka.tools.ClientMetricsCommand";
    private static final String DELEGATION_TOKENS = "org.apache.kafka.tools.DelegationTokenCommand";

    private static EmbeddedSkiff skiff;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder()
                .property("auto.create.topics.enable", "false")
                .start();
        bootstrap = skiff.bootstrapServers();
        skiff.createTopic("elect", 2);
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @Test
    void leaderElectionFindsNothingToElect() {
        String out = KafkaTool.ok(
                LEADER_ELECTION,
                null,
                "--bootstrap-server",
                bootstrap,
                "--election-type",
                "preferred",
                "--topic",
                "elect",
                "--partition",
                "0");
        assertTrue(out.contains("Valid replica already elected for partitions elect-0"), out);
        // all partitions: nothing needed an election, so nothing is printed, as against Kafka
        KafkaTool.ok(
                LEADER_ELECTION,
                null,
                "--bootstrap-server",
                bootstrap,
                "--election-type",
                "preferred",
                "--all-topic-partitions");
    }

    @Test
    void reassignmentsListAndExecuteInPlace() throws Exception {
        String listed = KafkaTool.ok(REASSIGN, null, "--bootstrap-server", bootstrap, "--list");
        assertTrue(listed.contains("No partition reassignments found."), listed);

        Path plan = Files.createTempFile("reassign", ".json");
        try {
            Files.writeString(
                    plan, "{\"version\":1,\"partitions\":[{\"topic\":\"elect\",\"partition\":0,\"replicas\":[0]}]}");
            String executed = KafkaTool.ok(
                    REASSIGN,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "--reassignment-json-file",
                    plan.toString(),
                    "--execute");
            assertTrue(executed.contains("Successfully started partition reassignment"), executed);
            String verified = KafkaTool.ok(
                    REASSIGN,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "--reassignment-json-file",
                    plan.toString(),
                    "--verify",
                    // clearing throttles alters broker configs, which Skiff takes at start only
                    "--preserve-throttles");
            assertTrue(verified.contains("Reassignment of partition elect-0 is completed."), verified);
        } finally {
            Files.deleteIfExists(plan);
        }
    }

    @Test
    void metadataQuorumDescribesOneVoter() {
        String status = KafkaTool.ok(
                "org.apache.kafka.tools.MetadataQuorumCommand",
                null,
                "--bootstrap-server",
                bootstrap,
                "describe",
                "--status");
        assertTrue(status.matches("(?s).*LeaderId:\\s+0\\b.*"), status);
        assertTrue(status.contains("LeaderEpoch:"), status);
        String replication = KafkaTool.ok(
                "org.apache.kafka.tools.MetadataQuorumCommand",
                null,
                "--bootstrap-server",
                bootstrap,
                "describe",
                "--replication");
        assertTrue(replication.matches("(?s).*\\b0\\s.*Leader.*"), replication);
    }

    @Test
    void clientMetricsListsNoResources() {
        ChildJvm.Result r = KafkaTool.run(CLIENT_METRICS, null, "--bootstrap-server", bootstrap, "--list");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(java.util.List.of(), KafkaTool.lines(r.output()), r.output());
    }

    @Test
    void delegationTokensAreRefusedAsByKafkaWithoutASecret() throws Exception {
        Path config = Files.createTempFile("admin", ".properties");
        ChildJvm.Result r;
        try {
            r = KafkaTool.run(
                    DELEGATION_TOKENS,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "--command-config",
                    config.toString(),
                    "--describe");
        } finally {
            Files.deleteIfExists(config);
        }
        // plain text: Kafka's DELEGATION_TOKEN_REQUEST_NOT_ALLOWED
        assertTrue(r.output().contains("UnsupportedByAuthenticationException"), r.output());
    }
}
