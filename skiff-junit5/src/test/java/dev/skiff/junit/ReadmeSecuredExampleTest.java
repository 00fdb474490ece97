package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@Skiff(tls = true, clientCertificates = "orders-service", topics = "orders")
class ReadmeSecuredExampleTest {

    @Test
    void producesAndConsumesOverTls(EmbeddedSkiff broker, Properties client) throws Exception {
        // client: bootstrap.servers, security.protocol=SSL, the trust store and this client's key store
        try (var producer = new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("orders", "order-1", "created")).get();
        }
        Properties consumerProps = broker.clientProperties("orders-service");
        consumerProps.put("group.id", "billing");
        consumerProps.put("auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            String value = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (value == null && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) value = record.value();
            }
            assertEquals("created", value);
        }
    }
}
