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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kafka-clients over SASL_SSL and SASL_PLAINTEXT with PLAIN: produce, group consume, transactions and admin; a wrong password fails with
 * SaslAuthenticationException and Kafka's message; sessions shorter than the test re-authenticate (KIP-368).
 */
class SaslPlainTransportTest {

    private static EmbeddedSkiff broker;
    private static Principals principals;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .tls()
                .sasl("PLAIN")
                .user("alice", "alice-secret")
                .user("bob", "bob-secret")
                .listener("SASL_PLAIN", "SASL_PLAINTEXT")
                .property("connections.max.reauth.ms", "1500")
                .topic("sasl", 2)
                .start();
        principals = Principals.recordOn(broker);
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void producesAndConsumesInAGroupOverSaslSsl() throws Exception {
        Properties alice = broker.clientProperties("alice");
        assertEquals("SASL_SSL", alice.getProperty("security.protocol"));
        roundTrip(alice, broker.clientProperties("bob"), "sasl", "ssl-group");
        List<String> seen = principals.seen().stream()
                .map(Principals.Seen::principal)
                .distinct()
                .toList();
        assertTrue(seen.containsAll(List.of("User:alice", "User:bob")), seen.toString());
    }

    @Test
    void producesAndConsumesOverSaslPlaintext() throws Exception {
        Properties alice = plaintext("alice", "alice-secret");
        roundTrip(alice, plaintext("bob", "bob-secret"), "sasl", "plain-group");
        assertTrue(principals.seen().stream().anyMatch(s -> s.listener().equals("SASL_PLAIN")));
    }

    @Test
    void transactionsAndAdminWork() throws Exception {
        Properties admin = broker.clientProperties("alice");
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic("sasl-txn", 1, (short) 1)))
                    .all()
                    .get(10, TimeUnit.SECONDS);
        }
        Properties p = broker.clientProperties("alice");
        p.put("transactional.id", "sasl-tx");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("sasl-txn", "k", "committed"));
            producer.commitTransaction();
        }
        Properties c = broker.clientProperties("bob");
        c.put("isolation.level", "read_committed");
        c.put("group.id", "txn-reader");
        c.put("auto.offset.reset", "earliest");
        assertEquals(List.of("committed"), read(c, "sasl-txn", 1));
    }

    @Test
    void aWrongPasswordFailsWithSaslAuthenticationException() {
        Properties wrong = broker.clientProperties("alice");
        wrong.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"no\";");
        try (Admin admin = Admin.create(wrong)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(15000))
                            .clusterId()
                            .get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
            assertTrue(e.getCause().getMessage().contains("Invalid username or password"), e.getMessage());
        }
    }

    @Test
    void clientsReauthenticateWhenTheirSessionEnds() throws Exception {
        // sessions last 1.5 s: a producer sending for longer must re-authenticate, or the broker closes it
        try (var producer =
                new KafkaProducer<>(broker.clientProperties("alice"), new StringSerializer(), new StringSerializer())) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4000);
            int sent = 0;
            while (System.nanoTime() < until) {
                producer.send(new ProducerRecord<>("sasl", 0, "k", "reauth-" + sent++))
                        .get(10, TimeUnit.SECONDS);
                Thread.onSpinWait();
            }
            assertTrue(sent > 0);
        }
    }

    private static Properties plaintext(String user, String password) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers("SASL_PLAIN"));
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", "PLAIN");
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return p;
    }

    private static void roundTrip(Properties producerProps, Properties consumerProps, String topic, String group)
            throws Exception {
        String tag = group + "-";
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++)
                producer.send(new ProducerRecord<>(topic, 1, "k", tag + i)).get();
        }
        consumerProps.put("group.id", group);
        consumerProps.put("auto.offset.reset", "earliest");
        List<String> values = read(consumerProps, topic, Integer.MAX_VALUE).stream()
                .filter(v -> v.startsWith(tag))
                .toList();
        assertEquals(List.of(tag + 0, tag + 1, tag + 2, tag + 3, tag + 4), values);
        assertTrue(broker.committedOffsets(group).size() > 0);
    }

    /** Reads with a subscribing group until {@code n} records or until nothing new came for a second. */
    private static List<String> read(Properties props, String topic, int n) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long quietSince = 0;
            while (values.size() < n && System.nanoTime() < deadline) {
                int before = values.size();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
                if (values.size() > before || consumer.assignment().isEmpty()) quietSince = System.nanoTime();
                else if (!values.isEmpty() && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(1)) break;
            }
            consumer.commitSync();
        }
        return values;
    }
}
