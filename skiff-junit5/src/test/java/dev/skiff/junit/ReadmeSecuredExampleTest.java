package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@Skiff(
        tls = true,
        sasl = "SCRAM-SHA-512",
        users = {"orders-service:orders-secret", "billing:billing-secret"},
        topics = {"orders", "invoices"},
        acls = {
            "User:orders-service ALLOW WRITE TOPIC:orders",
            "User:billing ALLOW READ TOPIC:orders",
            "User:billing ALLOW READ GROUP:billing- PREFIXED",
            "User:billing ALLOW WRITE TOPIC:invoices"
        })
class ReadmeSecuredExampleTest {

    @Test
    void eachServiceMayDoWhatItsAclsAllow(EmbeddedSkiff broker, Properties client) throws Exception {
        // client: bootstrap.servers, SASL_SSL with SCRAM-SHA-512 as the first user, and the broker's trust store
        try (var producer = new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "order-1", "created")).get();
        }

        Properties billing = broker.clientProperties("billing");
        billing.put("group.id", "billing-eu");
        billing.put("auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(billing, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            String value = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (value == null && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) value = record.value();
            }
            assertEquals("created", value);
        }

        // billing may write invoices but not orders: Kafka's error for it
        try (var producer = new KafkaProducer<>(
                broker.clientProperties("billing"), new StringSerializer(), new StringSerializer())) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("orders", "order-2", "forged"))
                            .get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
    }
}
