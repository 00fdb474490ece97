package dev.skiff.it.admin;

import static dev.skiff.it.admin.AdminClients.failure;
import static dev.skiff.it.admin.AdminClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DescribeConfigs and IncrementalAlterConfigs through kafka-clients 4.1.1's Admin, and altered retention
 * actually applied to the log. Sources, defaults and error codes are Apache Kafka 4.x's.
 */
@Timeout(120)
class ConfigAdminTest {

    static EmbeddedSkiff broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .port(0)
                .property("log.segment.bytes", "1024") // small segments, so retention has something to delete
                .property("log.retention.check.interval.ms", "1000") // the shortest retention pass Skiff runs
                .property("log.retention.hours", "48")
                .start();
        admin = AdminClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (broker != null) broker.close();
    }

    private static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static Config describe(ConfigResource r) throws Exception {
        return get(admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true))
                        .all())
                .get(r);
    }

    @Test
    void describeTopicReportsValuesSourcesAndSynonyms() throws Exception {
        get(admin.createTopics(
                        List.of(new NewTopic("described", 1, (short) 1).configs(Map.of("max.message.bytes", "5000"))))
                .all());
        Config c = describe(topic("described"));
        ConfigEntry max = c.get("max.message.bytes");
        assertEquals("5000", max.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, max.source());
        assertFalse(max.isDefault());
        assertEquals("max.message.bytes", max.synonyms().get(0).name());
        ConfigEntry policy = c.get("cleanup.policy");
        assertEquals("delete", policy.value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, policy.source());
        assertTrue(policy.isDefault());
        assertEquals(ConfigEntry.ConfigType.LIST, policy.type());
        ConfigEntry retention = c.get("retention.ms");
        assertEquals("172800000", retention.value(), "log.retention.hours=48 set on the broker");
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, retention.source());
        assertEquals("3600000", c.get("message.timestamp.after.max.ms").value(), "Kafka 4.0's default");
        assertEquals(ConfigEntry.ConfigType.LONG, retention.type());
    }

    @Test
    void describeBrokerAndUnknownTopic() throws Exception {
        Config b = describe(new ConfigResource(ConfigResource.Type.BROKER, "0"));
        assertEquals("1024", b.get("log.segment.bytes").value());
        assertEquals(
                ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG,
                b.get("log.segment.bytes").source());
        assertInstanceOf(
                UnknownTopicOrPartitionException.class, // UNKNOWN_TOPIC_OR_PARTITION (3)
                failure(admin.describeConfigs(List.of(topic("no-such-topic"))).all()));
    }

    @Test
    void incrementalAlterSetDeleteAppendSubtract() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("altered", 1, (short) 1).configs(Map.of("segment.ms", "600000"))))
                .all());
        Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(
                topic("altered"),
                List.of(
                        new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("segment.ms", null), AlterConfigOp.OpType.DELETE),
                        new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)));
        get(admin.incrementalAlterConfigs(ops).all());
        Config c = describe(topic("altered"));
        assertEquals("3600000", c.get("retention.ms").value());
        assertEquals(
                ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
                c.get("retention.ms").source());
        assertEquals("604800000", c.get("segment.ms").value(), "deleted: back to the default");
        assertTrue(c.get("segment.ms").isDefault());
        assertEquals("delete,compact", c.get("cleanup.policy").value());

        get(admin.incrementalAlterConfigs(Map.of(
                        topic("altered"),
                        List.of(new AlterConfigOp(
                                new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT))))
                .all());
        assertEquals("compact", describe(topic("altered")).get("cleanup.policy").value());
    }

    @Test
    void incrementalAlterErrorsMatchKafka() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("strict", 1, (short) 1))).all());
        assertInstanceOf(
                InvalidConfigurationException.class,
                failure(admin.incrementalAlterConfigs(Map.of(
                                topic("strict"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET))))
                        .all())); // INVALID_CONFIG (40)
        assertInstanceOf(
                InvalidConfigurationException.class,
                failure(admin.incrementalAlterConfigs(Map.of(
                                topic("strict"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET))))
                        .all()));
        assertInstanceOf(
                InvalidConfigurationException.class,
                failure(admin.incrementalAlterConfigs(Map.of(
                                topic("strict"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.APPEND))))
                        .all()));
        assertInstanceOf(
                UnknownTopicOrPartitionException.class,
                failure(admin.incrementalAlterConfigs(Map.of(
                                topic("no-such-topic"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET))))
                        .all()));
        assertNull(describe(topic("strict")).get("no.such.config"));
    }

    @Test
    void alteredRetentionBytesDeletesOldSegments() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("retained", 1, (short) 1))).all());
        TopicPartition tp = new TopicPartition("retained", 0);
        try (KafkaProducer<String, String> p = AdminClients.producer(broker.bootstrapServers())) {
            for (int i = 0; i < 60; i++)
                p.send(new ProducerRecord<>("retained", 0, "k" + i, "value-" + i + "-".repeat(40)))
                        .get();
        }
        assertEquals(
                0L,
                get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all())
                        .get(tp)
                        .offset());
        get(admin.incrementalAlterConfigs(Map.of(
                        topic("retained"),
                        List.of(new AlterConfigOp(
                                new ConfigEntry("retention.bytes", "1500"), AlterConfigOp.OpType.SET))))
                .all());
        long start = Poll.until(
                "retention.bytes applied to the log",
                () -> get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all())
                        .get(tp)
                        .offset(),
                o -> o > 0);
        assertTrue(start > 0);
        assertEquals(
                60L,
                get(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all())
                        .get(tp)
                        .offset());
    }

    /** Produce checks follow the topic's configs as they change, not the values the topic was created with. */
    @Test
    void alteredProduceConfigsApplyToTheNextRequest() throws Exception {
        get(admin.createTopics(
                        List.of(new NewTopic("rules", 1, (short) 1).configs(Map.of("max.message.bytes", "2000"))))
                .all());
        String big = "x".repeat(5000);
        try (KafkaProducer<String, String> p = AdminClients.producer(broker.bootstrapServers())) {
            ExecutionException tooLarge = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("rules", 0, "k", big)).get());
            assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause());

            get(admin.incrementalAlterConfigs(Map.of(
                            topic("rules"),
                            List.of(
                                    new AlterConfigOp(
                                            new ConfigEntry("max.message.bytes", "100000"), AlterConfigOp.OpType.SET),
                                    new AlterConfigOp(
                                            new ConfigEntry("message.timestamp.type", "LogAppendTime"),
                                            AlterConfigOp.OpType.SET))))
                    .all());
            long before = System.currentTimeMillis();
            RecordMetadata m =
                    p.send(new ProducerRecord<>("rules", 0, 1L, "k", big)).get();
            assertTrue(m.timestamp() >= before, "the broker's append time, not the record's 1 ms: " + m.timestamp());

            get(admin.incrementalAlterConfigs(Map.of(
                            topic("rules"),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                    .all());
            ExecutionException noKey = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("rules", 0, null, "no key"))
                            .get());
            assertInstanceOf(InvalidRecordException.class, noKey.getCause());
        }
    }
}
