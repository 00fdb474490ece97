package dev.skiff.it.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after a known workload, read by a strict reader of Prometheus' text format: messages in per
 * topic, requests per API, partition log figures, a group's lag and the connected client software.
 */
class MetricsEndpointTest {

    @Test
    void aKnownWorkloadShowsUpUnderKafkasNames() throws Exception {
        try (EmbeddedSkiff broker =
                EmbeddedSkiff.builder().topic("metered", 1).console().start()) {
            Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (var producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++)
                    producer.send(new ProducerRecord<>("metered", "k" + i, "v" + i))
                            .get();
                Map<String, Object> consumerProps = new java.util.HashMap<>(common);
                consumerProps.put("group.id", "metered-readers");
                consumerProps.put("auto.offset.reset", "earliest");
                consumerProps.put("enable.auto.commit", "false");
                try (var consumer =
                        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
                    consumer.subscribe(List.of("metered"));
                    int read = 0;
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (read < 10 && System.nanoTime() < deadline)
                        read += consumer.poll(Duration.ofMillis(200)).count();
                    assertEquals(10, read);
                    consumer.commitSync();
                }
                for (int i = 0; i < 5; i++)
                    producer.send(new ProducerRecord<>("metered", "k", "late" + i))
                            .get();
            }

            PrometheusText m = scrape(broker);
            assertEquals(15, m.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", "metered"));
            assertTrue(m.value("kafka_server_brokertopicmetrics_messagesin_total") >= 15);
            assertTrue(m.value("kafka_server_brokertopicmetrics_bytesin_total", "topic", "metered") > 15 * 4);
            assertTrue(m.value("kafka_server_brokertopicmetrics_bytesout_total", "topic", "metered") > 0);
            assertTrue(m.sum("kafka_network_requestmetrics_requests_total", "request", "Produce") >= 15);
            assertTrue(m.sum("kafka_network_requestmetrics_requests_total", "request", "ApiVersions") >= 1);
            assertTrue(m.sum("kafka_network_requestmetrics_totaltimems_count", "request", "Produce") >= 15);
            assertEquals("histogram", m.types.get("kafka_network_requestmetrics_totaltimems"));
            assertEquals(15, m.value("kafka_log_log_logendoffset", "topic", "metered", "partition", "0"));
            assertTrue(m.value("kafka_log_log_size", "topic", "metered", "partition", "0") > 0);
            assertEquals(
                    5,
                    m.value(
                            "kafka_consumergroup_lag",
                            "consumergroup",
                            "metered-readers",
                            "topic",
                            "metered",
                            "partition",
                            "0"));
            assertEquals(1, m.value("kafka_coordinator_group_groupmetadatamanager_numgroups"));
            assertEquals(0, m.value("kafka_server_replicamanager_underreplicatedpartitions"));
            assertTrue(m.value("kafka_server_replicamanager_partitioncount") >= 2); // metered and __consumer_offsets
            // the producer's connection is closed now; open one and see its software named
            try (var admin = org.apache.kafka.clients.admin.Admin.create(common)) {
                admin.listTopics().names().get();
                Poll.until(
                        Duration.ofSeconds(10),
                        "the admin client's connection listed with its software name",
                        () -> scrape(broker)
                                .sum(
                                        "kafka_server_socket_server_metrics_connections",
                                        "client_software_name",
                                        "apache-kafka-java"),
                        n -> n >= 1);
                // and in JMX under Kafka's socket-server-metrics name (registered on the next metrics tick)
                javax.management.ObjectName pattern = new javax.management.ObjectName(
                        "kafka.server:type=socket-server-metrics,clientSoftwareName=apache-kafka-java,*");
                Poll.until(
                        Duration.ofSeconds(15),
                        "the admin client's software in JMX",
                        () -> java.lang.management.ManagementFactory.getPlatformMBeanServer()
                                .queryNames(pattern, null),
                        names -> !names.isEmpty());
            }
        }
    }

    static PrometheusText scrape(EmbeddedSkiff broker) {
        try {
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(broker.consoleUrl() + "metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            return PrometheusText.parse(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
