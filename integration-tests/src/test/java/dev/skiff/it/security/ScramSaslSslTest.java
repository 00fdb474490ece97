package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kafka-clients 4.x over SASL_SSL with SCRAM-SHA-512, as a team runs Kafka with it: one user from the broker's
 * config ({@code skiff.sasl.users}, here through {@code EmbeddedSkiff.Builder.user}) and one created at run time
 * through {@code Admin.alterUserScramCredentials}. Produce, a consumer group, a read-process-write transaction
 * (exactly once) and admin calls work; the failures are those kafka-clients reports against Kafka 4.1.1:
 *
 * <ul>
 * <li>a wrong password and an unknown user: {@link SaslAuthenticationException} with Kafka's server message
 *     (Kafka's SaslServerAuthenticator answers every SCRAM SaslException with the same text, so the two cannot
 *     be told apart);
 * <li>a broker certificate the client does not trust: {@link SslAuthenticationException} "SSL handshake failed";
 * <li>under {@code ssl.client.auth=required}, a client certificate from a CA the broker does not trust: the
 *     same.
 * </ul>
 */
class ScramSaslSslTest {

    private static final String FAILED =
            "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512";

    private static EmbeddedSkiff broker;
    private static Principals principals;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedSkiff.builder()
                .tls()
                .sasl("SCRAM-SHA-512")
                .user("alice", "alice-secret")
                .topic("scram", 2)
                .start();
        principals = Principals.recordOn(broker);
        // carol exists only because alice created her over the wire, as kafka-configs does
        try (Admin admin = Admin.create(broker.clientProperties("alice"))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "carol-secret")))
                    .all()
                    .get(15, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    /** Logged in as {@code user} with SCRAM-SHA-512 over the broker's TLS listener. */
    private static Properties as(String user, String password) {
        Properties p = broker.clientProperties();
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return p;
    }

    @Test
    void theClientPropertiesSpeakScramOverTls() {
        Properties alice = broker.clientProperties("alice");
        assertEquals("SASL_SSL", alice.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", alice.getProperty("sasl.mechanism"));
        assertTrue(alice.getProperty("sasl.jaas.config").contains("ScramLoginModule"));
    }

    @Test
    void aUserCreatedAtRunTimeProducesAndAConfiguredOneConsumesInAGroup() throws Exception {
        try (var producer =
                new KafkaProducer<>(as("carol", "carol-secret"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 6; i++)
                producer.send(new ProducerRecord<>("scram", i % 2, "k" + i, "v" + i))
                        .get(10, TimeUnit.SECONDS);
        }
        Properties consumer = as("alice", "alice-secret");
        consumer.put("group.id", "scram-group");
        consumer.put("auto.offset.reset", "earliest");
        List<String> values = read(consumer, "scram", 6);
        assertEquals(Set.of("v0", "v1", "v2", "v3", "v4", "v5"), Set.copyOf(values));
        assertEquals(
                6L,
                broker.committedOffsets("scram-group").values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        List<String> seen = principals.seen().stream()
                .map(Principals.Seen::principal)
                .distinct()
                .toList();
        assertTrue(seen.containsAll(List.of("User:alice", "User:carol")), seen.toString());
        assertTrue(principals.seen().stream().allMatch(s -> s.listener().equals("SASL_SSL")));
    }

    @Test
    void readProcessWriteInATransactionIsExactlyOnce() throws Exception {
        try (Admin admin = Admin.create(as("alice", "alice-secret"))) {
            admin.createTopics(List.of(new NewTopic("scram-in", 1, (short) 1), new NewTopic("scram-out", 1, (short) 1)))
                    .all()
                    .get(10, TimeUnit.SECONDS);
        }
        try (var producer =
                new KafkaProducer<>(as("alice", "alice-secret"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++)
                producer.send(new ProducerRecord<>("scram-in", "k" + i, "order-" + i))
                        .get(10, TimeUnit.SECONDS);
        }

        Properties cp = as("carol", "carol-secret");
        cp.put("group.id", "scram-processor");
        cp.put("auto.offset.reset", "earliest");
        cp.put("enable.auto.commit", "false");
        cp.put("isolation.level", "read_committed");
        Properties pp = as("carol", "carol-secret");
        pp.put("transactional.id", "scram-processor-tx");
        try (var consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer());
                var producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of("scram-in"));
            List<ConsumerRecord<String, String>> batch = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (batch.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) batch.add(r);
            }
            assertEquals(5, batch.size());

            // a first attempt is aborted: none of it may be seen, and the offsets stay where they were
            producer.beginTransaction();
            for (ConsumerRecord<String, String> r : batch)
                producer.send(new ProducerRecord<>("scram-out", r.key(), "aborted-" + r.value()));
            producer.abortTransaction();

            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (ConsumerRecord<String, String> r : batch) {
                producer.send(new ProducerRecord<>("scram-out", r.key(), "processed-" + r.value()));
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        }

        Properties reader = as("alice", "alice-secret");
        reader.put("group.id", "scram-out-reader");
        reader.put("auto.offset.reset", "earliest");
        reader.put("isolation.level", "read_committed");
        List<String> out = read(reader, "scram-out", 5);
        assertEquals(
                List.of(
                        "processed-order-0",
                        "processed-order-1",
                        "processed-order-2",
                        "processed-order-3",
                        "processed-order-4"),
                out);
        assertEquals(
                Map.of(new EmbeddedSkiff.TopicPartition("scram-in", 0), 5L),
                broker.committedOffsets("scram-processor"));
    }

    @Test
    void adminCallsWork() throws Exception {
        try (Admin admin = Admin.create(as("carol", "carol-secret"))) {
            var nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
            assertEquals(broker.port(), nodes.iterator().next().port());
            admin.createTopics(List.of(new NewTopic("scram-admin", 1, (short) 1)))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            admin.createPartitions(Map.of("scram-admin", NewPartitions.increaseTo(3)))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            assertEquals(
                    3,
                    admin.describeTopics(List.of("scram-admin"))
                            .allTopicNames()
                            .get(10, TimeUnit.SECONDS)
                            .get("scram-admin")
                            .partitions()
                            .size());
            Map<String, UserScramCredentialsDescription> users =
                    admin.describeUserScramCredentials().all().get(10, TimeUnit.SECONDS);
            assertEquals(
                    List.of(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)),
                    users.get("carol").credentialInfos());
            admin.deleteTopics(List.of("scram-admin")).all().get(10, TimeUnit.SECONDS);
            assertTrue(!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("scram-admin"));
        }
    }

    @Test
    void aWrongPasswordFailsAsAgainstKafka() {
        Throwable cause = failure(as("carol", "not-carols"));
        assertInstanceOf(SaslAuthenticationException.class, cause, cause.toString());
        assertEquals(FAILED, cause.getMessage());
    }

    @Test
    void anUnknownUserFailsExactlyLikeAWrongPassword() {
        Throwable cause = failure(as("mallory", "whatever"));
        assertInstanceOf(SaslAuthenticationException.class, cause, cause.toString());
        assertEquals(FAILED, cause.getMessage());
    }

    @Test
    void aClientThatDoesNotTrustTheBrokerCertificateFailsItsHandshake() {
        Properties untrusting = as("alice", "alice-secret");
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        untrusting.remove("ssl.truststore.type");
        Throwable cause = failure(untrusting);
        assertInstanceOf(SslAuthenticationException.class, cause, cause.toString());
        assertEquals("SSL handshake failed", cause.getMessage());
    }

    @Test
    void aClientCertificateFromAnotherAuthorityIsRefusedWhenCertificatesAreRequired() throws Exception {
        // two brokers, two CAs: the stranger's client certificate is signed by a CA the secured broker never saw
        try (EmbeddedSkiff secured = EmbeddedSkiff.builder()
                        .clientCertificate("alice")
                        .property("ssl.client.auth", "required")
                        .start();
                EmbeddedSkiff stranger =
                        EmbeddedSkiff.builder().clientCertificate("mallory").start()) {
            Properties alice = secured.clientProperties("alice");
            try (Admin admin = Admin.create(alice)) { // the broker's own client certificate is served
                assertEquals(
                        secured.port(),
                        admin.describeCluster()
                                .nodes()
                                .get(15, TimeUnit.SECONDS)
                                .iterator()
                                .next()
                                .port());
            }
            Properties mallory = secured.clientProperties("alice");
            Properties foreign = stranger.clientProperties("mallory");
            for (String key : List.of("ssl.keystore.location", "ssl.keystore.password", "ssl.key.password"))
                mallory.put(key, foreign.getProperty(key));
            Throwable cause = failure(mallory);
            assertInstanceOf(SslAuthenticationException.class, cause, cause.toString());
            // TLS 1.3 (the default of both sides): the client has finished its half of the handshake when the
            // broker's alert arrives, so kafka-clients reports it while reading, as it does against Kafka
            assertTrue(
                    List.of("SSL handshake failed", "Failed to process post-handshake messages")
                            .contains(cause.getMessage()),
                    cause.toString());
            assertInstanceOf(javax.net.ssl.SSLException.class, cause.getCause(), String.valueOf(cause.getCause()));
            assertTrue(
                    cause.getCause().getMessage().contains("certificate"),
                    cause.getCause().getMessage());
        }
    }

    @Test
    void scramSessionsReauthenticateWhenTheyEnd() throws Exception {
        // sessions of one second: a producer sending for longer re-runs SCRAM on its open connection (KIP-368)
        try (EmbeddedSkiff shortSessions = EmbeddedSkiff.builder()
                        .tls()
                        .sasl("SCRAM-SHA-512")
                        .user("alice", "alice-secret")
                        .property("connections.max.reauth.ms", "1000")
                        .topic("reauth", 1)
                        .start();
                var producer = new KafkaProducer<>(
                        shortSessions.clientProperties("alice"), new StringSerializer(), new StringSerializer())) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            int sent = 0;
            while (System.nanoTime() < until) {
                producer.send(new ProducerRecord<>("reauth", "k", "v" + sent++)).get(10, TimeUnit.SECONDS);
            }
            assertEquals(sent, shortSessions.recordCount("reauth"));
            assertTrue(
                    producer.metrics().entrySet().stream()
                                    .filter(e -> e.getKey().name().equals("successful-reauthentication-total"))
                                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                                    .sum()
                            >= 1,
                    "the producer re-authenticated");
        }
    }

    /** What an Admin call fails with for these properties (the cause of the ExecutionException). */
    private static Throwable failure(Properties props) {
        props.put("request.timeout.ms", "10000");
        props.put("default.api.timeout.ms", "15000");
        try (Admin admin = Admin.create(props)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(15000))
                            .clusterId()
                            .get());
            return e.getCause();
        }
    }

    /** Reads with a subscribing group until {@code n} records, then commits. */
    private static List<String> read(Properties props, String topic, int n) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
            consumer.commitSync();
        }
        return values;
    }
}
