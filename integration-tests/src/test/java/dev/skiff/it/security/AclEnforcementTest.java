package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.AclPermissionType;
import dev.skiff.broker.security.acl.PatternType;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real kafka-clients 4.1.1 producers, consumers and admins as different users (the client-id test aid) against
 * a broker with ACLs: what each may do, and the exception each gets where it may not, as Kafka answers.
 */
@Timeout(120)
class AclEnforcementTest {

    static EmbeddedSkiff broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .inMemory()
                .topic("orders", 1)
                .topic("secret", 1)
                .superUser("admin")
                .acl(
                        "User:alice",
                        ResourceType.TOPIC,
                        "orders",
                        PatternType.LITERAL,
                        AclOperation.WRITE,
                        AclPermissionType.ALLOW)
                .acl(
                        "User:carol",
                        ResourceType.TOPIC,
                        "ord",
                        PatternType.PREFIXED,
                        AclOperation.READ,
                        AclPermissionType.ALLOW)
                .acl(
                        "User:carol",
                        ResourceType.GROUP,
                        "readers",
                        PatternType.LITERAL,
                        AclOperation.READ,
                        AclPermissionType.ALLOW)
                .acl(
                        "User:erin",
                        ResourceType.TRANSACTIONAL_ID,
                        "tx-erin",
                        PatternType.LITERAL,
                        AclOperation.WRITE,
                        AclPermissionType.ALLOW)
                .acl(
                        "User:erin",
                        ResourceType.TOPIC,
                        "orders",
                        PatternType.LITERAL,
                        AclOperation.WRITE,
                        AclPermissionType.ALLOW)
                .acl(
                        "User:dan",
                        ResourceType.TOPIC,
                        "orders",
                        PatternType.LITERAL,
                        AclOperation.READ,
                        AclPermissionType.ALLOW)
                .start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    static KafkaProducer<String, String> producer(String user) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "user:" + user);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String user, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "user:" + user);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void producersNeedWriteOnTheTopic() throws Exception {
        try (KafkaProducer<String, String> alice = producer("alice")) {
            alice.send(new ProducerRecord<>("orders", "k", "v")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> bob = producer("bob")) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> bob.send(new ProducerRecord<>("orders", "k", "v")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        try (KafkaProducer<String, String> alice = producer("alice")) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> alice.send(new ProducerRecord<>("secret", "k", "v")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
    }

    static KafkaProducer<String, String> transactional(String user, String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "user:" + user);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @Test
    void transactionsNeedWriteOnTheTransactionalId() throws Exception {
        try (KafkaProducer<String, String> erin = transactional("erin", "tx-erin")) {
            erin.initTransactions();
            erin.beginTransaction();
            erin.send(new ProducerRecord<>("orders", "k", "in-txn")).get(30, TimeUnit.SECONDS);
            erin.commitTransaction();
        }
        try (KafkaProducer<String, String> erin = transactional("erin", "tx-other")) {
            assertThrows(
                    org.apache.kafka.common.errors.TransactionalIdAuthorizationException.class, erin::initTransactions);
        }
    }

    @Test
    void groupConsumersNeedReadOnTheGroupAndTheTopic() throws Exception {
        try (KafkaProducer<String, String> admin = producer("admin")) {
            admin.send(new ProducerRecord<>("orders", "k", "for-carol")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> carol = consumer("carol", "readers")) {
            carol.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int seen = 0;
            while (seen == 0 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = carol.poll(Duration.ofMillis(200));
                seen += records.count();
            }
            assertTrue(seen > 0);
            carol.commitSync(Duration.ofSeconds(20));
        }
        // dan may read the topic but not join any group
        try (KafkaConsumer<String, String> dan = consumer("dan", "readers")) {
            dan.subscribe(List.of("orders"));
            assertThrows(GroupAuthorizationException.class, () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) dan.poll(Duration.ofMillis(200));
            });
        }
    }

    @Test
    void metadataShowsOnlyDescribableTopicsAndAdminNeedsItsAcls() throws Exception {
        try (Admin alice = AclAdminApiTest.admin(broker, "alice");
                Admin bob = AclAdminApiTest.admin(broker, "bob");
                Admin admin = AclAdminApiTest.admin(broker, "admin")) {
            assertEquals(Set.of("orders"), alice.listTopics().names().get(30, TimeUnit.SECONDS));
            assertEquals(Set.of(), bob.listTopics().names().get(30, TimeUnit.SECONDS));
            assertEquals(Set.of("orders", "secret"), admin.listTopics().names().get(30, TimeUnit.SECONDS));
            // named: unauthorized, whether it exists or not
            assertInstanceOf(
                    TopicAuthorizationException.class,
                    AclAdminApiTest.cause(bob.describeTopics(List.of("secret")).allTopicNames()));
            assertInstanceOf(
                    TopicAuthorizationException.class,
                    AclAdminApiTest.cause(bob.describeTopics(List.of("nope")).allTopicNames()));
            assertInstanceOf(
                    TopicAuthorizationException.class,
                    AclAdminApiTest.cause(bob.deleteTopics(List.of("secret")).all()));
            assertInstanceOf(
                    TopicAuthorizationException.class,
                    AclAdminApiTest.cause(
                            bob.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("mine", 1, (short) 1)))
                                    .all()));
            assertInstanceOf(
                    GroupAuthorizationException.class,
                    AclAdminApiTest.cause(
                            bob.deleteConsumerGroups(List.of("readers")).all()));
        }
    }
}
