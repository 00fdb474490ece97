package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.ChildJvm;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Kafka 4.1's tools whose APIs a single Skiff broker used to refuse with UNSUPPORTED_VERSION:
 * kafka-leader-election, kafka-reassign-partitions (--list, and --execute of the replicas a partition already has),
 * kafka-client-metrics --list, kafka-delegation-tokens, kafka-metadata-quorum and kafka-transactions abort (of a
 * transaction whose producer went away). The assertions read what the tools print and what consumers then see.
 */
class SmallAdminToolsTest {

    private static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
    private static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final String CLIENT_METRICS = "org.apache.kafka.tools.ClientMetricsCommand";
    private static final String DELEGATION_TOKENS = "org.apache.kafka.tools.DelegationTokenCommand";
    private static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";
    private static final String FEATURES = "org.apache.kafka.tools.FeatureCommand";
    private static final String CLUSTER = "org.apache.kafka.tools.ClusterTool";

    private static EmbeddedSkiff skiff;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder()
                .property("auto.create.topics.enable", "false")
                .start();
        bootstrap = skiff.bootstrapServers();
        skiff.createTopic("elect", 2);
        skiff.createTopic("hanging", 1);
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

    @Test
    void transactionsAbortEndsAHangingTransaction() throws Exception {
        TopicPartition tp = new TopicPartition("hanging", 0);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("transactional.id", "hangs");
        p.put("transaction.timeout.ms", "600000"); // the coordinator must not end it first
        KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("hanging", 0, "k", "stuck")).get();
        producer.close(Duration.ZERO); // gone without ending its transaction
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertEquals(0, lastStableOffset(admin, tp), "the open transaction holds read_committed consumers at 0");
            String aborted = KafkaTool.ok(
                    TRANSACTIONS,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "abort",
                    "--topic",
                    "hanging",
                    "--partition",
                    "0",
                    "--start-offset",
                    "0");
            // the record and the abort marker: read_committed consumers move past both
            assertEquals(2, lastStableOffset(admin, tp), aborted);
        }
        Map<String, Object> c = Map.of(
                "bootstrap.servers", bootstrap, "isolation.level", "read_committed", "enable.auto.commit", false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            // polls until the consumer has moved past both (the first poll may end before its fetch does)
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp, Duration.ofSeconds(30)) < 2 && System.nanoTime() < deadline)
                assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty(), "the aborted record is not read");
            assertEquals(2, consumer.position(tp, Duration.ofSeconds(30)));
        }
    }

    private static long lastStableOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp)
                .get()
                .offset();
    }

    @Test
    void featuresDowngradeAndUpgradeTransactionVersion() {
        String described = KafkaTool.ok(FEATURES, null, "--bootstrap-server", bootstrap, "describe");
        assertTrue(
                described.matches("(?s).*Feature: transaction.version\\s+SupportedMinVersion: 0\\s+"
                        + "SupportedMaxVersion: 2\\s+FinalizedVersionLevel: 2\\b.*"),
                described);
        String down = KafkaTool.ok(
                FEATURES, null, "--bootstrap-server", bootstrap, "downgrade", "--feature", "transaction.version=1");
        assertTrue(down.contains("transaction.version was downgraded to 1"), down);
        described = KafkaTool.ok(FEATURES, null, "--bootstrap-server", bootstrap, "describe");
        assertTrue(
                described.matches("(?s).*Feature: transaction.version\\s.*FinalizedVersionLevel: 1\\b.*"), described);
        // Skiff always serves consumer groups: group.version stays at 1
        ChildJvm.Result disabled =
                KafkaTool.run(FEATURES, null, "--bootstrap-server", bootstrap, "disable", "--feature", "group.version");
        assertTrue(disabled.exitCode() != 0, disabled.output());
        assertTrue(
                disabled.output().contains("INVALID_UPDATE_VERSION")
                        || disabled.output().contains("Invalid update version"),
                disabled.output());
        String up = KafkaTool.ok(
                FEATURES, null, "--bootstrap-server", bootstrap, "upgrade", "--feature", "transaction.version=2");
        assertTrue(up.contains("transaction.version was upgraded to 2"), up);
    }

    @Test
    void clusterUnregister() {
        ChildJvm.Result unknown =
                KafkaTool.run(CLUSTER, null, "unregister", "--bootstrap-server", bootstrap, "--id", "77");
        assertTrue(unknown.exitCode() != 0, unknown.output());
        assertTrue(unknown.output().contains("not currently registered"), unknown.output());
        // a single broker is registered again at once, as a one-node Kafka
        String self = KafkaTool.ok(CLUSTER, null, "unregister", "--bootstrap-server", bootstrap, "--id", "0");
        assertTrue(self.contains("Broker 0 is no longer registered."), self);
    }

    @Test
    void reassignmentIntoTheDataDirIsDoneAtOnce() throws Exception {
        String dir;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            dir = admin.describeLogDirs(List.of(0))
                    .allDescriptions()
                    .get()
                    .get(0)
                    .keySet()
                    .iterator()
                    .next();
        }
        String json = "{\"version\":1,\"partitions\":[{\"topic\":\"elect\",\"partition\":1,\"replicas\":[0],"
                + "\"log_dirs\":[\"" + dir.replace("\\", "\\\\") + "\"]}]}";
        Path plan = Files.createTempFile("reassign-dirs", ".json");
        try {
            Files.writeString(plan, json);
            String executed = KafkaTool.ok(
                    REASSIGN,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "--reassignment-json-file",
                    plan.toString(),
                    "--execute");
            assertTrue(
                    executed.contains("Successfully started moving log directory to " + dir
                            + " for replica elect-1 with broker 0"),
                    executed);
        } finally {
            Files.deleteIfExists(plan);
        }
    }
}
