package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.server.EmbeddedSkiff;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Several listeners at once (PLAINTEXT, SSL, SASL_PLAINTEXT): each serves, and Metadata, DescribeCluster and
 * FindCoordinator tell each client the address of the listener it came in on; the ports survive a restart.
 */
class ListenersTest {

    @Test
    void eachListenerAdvertisesItself() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .listener("INTERNAL", "SSL")
                .listener("EXTERNAL", "SASL_PLAINTEXT")
                .property("sasl.enabled.mechanisms", "PLAIN")
                .property("skiff.sasl.users", "carol:pw")
                .topic("multi", 1)
                .start()) {
            assertEquals(java.util.List.of("PLAINTEXT", "INTERNAL", "EXTERNAL"), broker.listenerNames());
            Properties plain = new Properties();
            plain.put("bootstrap.servers", broker.bootstrapServers());
            assertAdvertised(plain, broker.bootstrapServers());

            Properties ssl = new Properties();
            ssl.put("bootstrap.servers", broker.bootstrapServers("INTERNAL"));
            ssl.put("security.protocol", "SSL");
            ssl.put("ssl.truststore.location", broker.trustStore().pkcs12().toString());
            ssl.put("ssl.truststore.password", broker.trustStore().password());
            ssl.put("ssl.truststore.type", "PKCS12");
            assertAdvertised(ssl, broker.bootstrapServers("INTERNAL"));

            Properties sasl = new Properties();
            sasl.put("bootstrap.servers", broker.bootstrapServers("EXTERNAL"));
            sasl.put("security.protocol", "SASL_PLAINTEXT");
            sasl.put("sasl.mechanism", "PLAIN");
            sasl.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"carol\" password=\"pw\";");
            assertAdvertised(sasl, broker.bootstrapServers("EXTERNAL"));

            String before = broker.bootstrapServers("INTERNAL");
            broker.restart();
            assertEquals(before, broker.bootstrapServers("INTERNAL"));
            assertAdvertised(ssl, before);
            assertEquals(4, broker.recordCount("multi"));
        }
    }

    private static void assertAdvertised(Properties props, String expected) throws Exception {
        try (Admin admin = Admin.create(props)) {
            Node node = admin.describeCluster()
                    .nodes()
                    .get(15, TimeUnit.SECONDS)
                    .iterator()
                    .next();
            assertEquals(expected, node.host() + ":" + node.port());
            Node controller = admin.describeCluster().controller().get(15, TimeUnit.SECONDS);
            assertEquals(expected, controller.host() + ":" + controller.port());
        }
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("multi", "k", expected)).get(15, TimeUnit.SECONDS);
        }
    }
}
