package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code @Skiff(superUsers, acls)} on a plain-text broker: the preset ACLs and super users apply, and
 * {@code clientProperties(user)} hands back properties that act as that user (through the client-id test aid
 * the authorizer turns on), so one class can play several principals without SASL.
 */
@Skiff(
        superUsers = "admin",
        topics = {"orders", "orders-eu", "payments"},
        acls = {
            "alice ALLOW DESCRIBE,WRITE TOPIC:orders PREFIXED",
            "User:alice DENY WRITE TOPIC:orders-eu",
            "User:alice ALLOW IDEMPOTENT_WRITE CLUSTER"
        })
class SkiffAclsTest {

    @Test
    void clientPropertiesActAsEachUser(EmbeddedSkiff broker) {
        Properties alice = broker.clientProperties("alice");
        assertEquals("user:alice", alice.getProperty("client.id"));
        assertEquals("PLAINTEXT", alice.getProperty("security.protocol"));
    }

    @Test
    void superUsersMayDoAnythingOthersWhatTheirAclsSay(EmbeddedSkiff broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties("admin"))) {
            admin.createTopics(List.of(new NewTopic("made-by-admin", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("payments"));
        }
        try (Admin alice = Admin.create(broker.clientProperties("alice"))) {
            // Metadata shows alice the topics she may describe, and nothing else
            assertEquals(
                    Set.of("orders", "orders-eu"), alice.listTopics().names().get(30, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> alice.createTopics(List.of(new NewTopic("orders-new", 1, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        try (var producer =
                new KafkaProducer<>(broker.clientProperties("alice"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "k", "allowed")).get(30, TimeUnit.SECONDS);
            ExecutionException denied = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("orders-eu", "k", "denied"))
                            .get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, denied.getCause());
        }
        assertEquals(1, broker.recordCount("orders"));
        assertEquals(0, broker.recordCount("orders-eu"));
    }
}
