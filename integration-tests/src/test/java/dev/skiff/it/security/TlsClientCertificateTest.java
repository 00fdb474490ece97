package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kafka-clients over SSL with client certificates: produce, group consume, transactions and admin work, the broker sees
 * each client as its certificate's subject, and a client that does not trust the broker's certificate, or
 * brings none when one is required, fails its TLS handshake as it does against Kafka.
 */
class TlsClientCertificateTest {

    private static EmbeddedSkiff broker;
    private static Principals principals;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .clientCertificate("alice")
                .clientCertificate("bob")
                .topic("secured", 2)
                .start();
        principals = Principals.recordOn(broker);
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void producesAndConsumesInAGroupWithClientCertificates() throws Exception {
        Properties alice = broker.clientProperties("alice");
        assertEquals("SSL", alice.getProperty("security.protocol"));
        try (var producer = new KafkaProducer<>(alice, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++)
                producer.send(new ProducerRecord<>("secured", "k" + i, "v" + i)).get();
        }
        Properties bob = broker.clientProperties("bob");
        bob.put("group.id", "tls-group");
        bob.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(bob, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("secured"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
            consumer.commitSync();
        }
        assertEquals(10, values.size());
        assertEquals(
                10L,
                broker.committedOffsets("tls-group").values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        List<String> seen = principals.seen().stream()
                .map(Principals.Seen::principal)
                .distinct()
                .toList();
        assertTrue(seen.contains("User:CN=alice"), seen.toString());
        assertTrue(seen.contains("User:CN=bob"), seen.toString());
        assertTrue(principals.seen().stream().allMatch(s -> s.listener().equals("SSL")));
    }

    @Test
    void adminWorksAndFetchesOverTlsAreCopiedNotZeroCopy() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties("alice"))) {
            var nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
            assertEquals(broker.port(), nodes.iterator().next().port());
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("made-over-tls", 1, (short) 1)))
                    .all()
                    .get(10, TimeUnit.SECONDS);
        }
        assertTrue(broker.topics().contains("made-over-tls"));
    }

    @Test
    void transactionsCommitAndAbortWithClientCertificates() throws Exception {
        broker.createTopic("tls-txn", 1);
        Properties p = broker.clientProperties("alice");
        p.put("transactional.id", "tls-tx");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tls-txn", "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tls-txn", "k", "committed"));
            producer.commitTransaction();
        }
        Properties bob = broker.clientProperties("bob");
        bob.put("group.id", "tls-txn-reader");
        bob.put("auto.offset.reset", "earliest");
        bob.put("isolation.level", "read_committed");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(bob, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("tls-txn"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        assertEquals(List.of("committed"), values);
    }

    @Test
    void aClientThatDoesNotTrustTheBrokerFailsItsHandshake() {
        Properties untrusting = broker.clientProperties("alice");
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        untrusting.remove("ssl.truststore.type");
        assertHandshakeFails(untrusting);
    }

    @Test
    void aClientWithoutACertificateFailsWhenOneIsRequired() {
        Properties anonymous = broker.clientProperties(null);
        assertHandshakeFails(anonymous);
    }

    private static void assertHandshakeFails(Properties props) {
        props.put("request.timeout.ms", "10000");
        props.put("default.api.timeout.ms", "15000");
        try (Admin admin = Admin.create(props)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(15000))
                            .clusterId()
                            .get());
            assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
        }
    }
}
