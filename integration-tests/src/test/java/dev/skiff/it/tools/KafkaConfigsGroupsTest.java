package dev.skiff.it.tools;

import static dev.skiff.it.tools.KafkaTool.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock {@code kafka-configs --entity-type groups} (kafka.admin.ConfigCommand of Kafka 4.1) setting group
 * configs on Skiff, and the groups living by them: a share group with {@code share.auto.offset.reset=earliest}
 * reads records written before it existed (the broker's default is latest) and gets records back from a silent
 * consumer after its {@code share.record.lock.duration.ms} of 5 s (the broker's is 30 s); a KIP-848 consumer
 * group with {@code consumer.heartbeat.interval.ms=500} and {@code consumer.session.timeout.ms=4000} is told to
 * heartbeat every 500 ms and loses a silent member within seconds (the broker's session is 45 s). After a restart
 * the configs are still described and still in force.
 */
class KafkaConfigsGroupsTest {

    @TempDir
    Path dir;

    private static KafkaShareConsumer<String, String> shareConsumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("share.acknowledgement.mode", "explicit");
        p.put("max.poll.records", "10");
        return new KafkaShareConsumer<>(p);
    }

    private static void produce(String bootstrap, String topic, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(topic, 0, null, "k" + i));
            producer.flush();
        }
    }

    private static List<ConsumerRecord<String, String>> poll(KafkaShareConsumer<String, String> c) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        c.poll(Duration.ofMillis(200)).forEach(out::add);
        return out;
    }

    /** A KIP-848 member joining {@code group} with a raw ConsumerGroupHeartbeat v1. */
    private static ConsumerGroupHeartbeatResponseData join(EmbeddedSkiff skiff, String group, String topic)
            throws Exception {
        try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port())) {
            ConsumerGroupHeartbeatResponseData r = w.send(
                    new ConsumerGroupHeartbeatRequestData()
                            .setGroupId(group)
                            .setMemberId(Uuid.randomUuid().toString())
                            .setMemberEpoch(0)
                            .setRebalanceTimeoutMs(30_000)
                            .setSubscribedTopicNames(List.of(topic))
                            .setTopicPartitions(List.of()),
                    1);
            assertEquals(Errors.NONE, Errors.forCode(r.errorCode()), r.errorMessage());
            return r;
        }
    }

    private static int members(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group))
                .describedGroups()
                .get(group)
                .get()
                .members()
                .size();
    }

    @Test
    void groupConfigsSetWithTheToolTakeEffectAndSurviveARestart() throws Exception {
        String topic = "group-configs";
        String shareGroup = "share-configured";
        String consumerGroup = "consumer-configured";
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder()
                .dataDir(dir)
                .property("group.share.min.record.lock.duration.ms", "1000")
                .property("group.consumer.min.session.timeout.ms", "1000")
                .property("group.consumer.min.heartbeat.interval.ms", "500")
                .start()) {
            String bootstrap = skiff.bootstrapServers();
            skiff.createTopic(topic, 1);
            produce(bootstrap, topic, 3);

            configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--alter",
                    "--entity-type",
                    "groups",
                    "--entity-name",
                    shareGroup,
                    "--add-config",
                    "share.record.lock.duration.ms=5000,share.auto.offset.reset=earliest");
            String described = configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--describe",
                    "--entity-type",
                    "groups",
                    "--entity-name",
                    shareGroup);
            assertTrue(described.contains("share.record.lock.duration.ms=5000"), described);
            assertTrue(described.contains("share.auto.offset.reset=earliest"), described);

            try (var silent = shareConsumer(bootstrap, shareGroup);
                    var other = shareConsumer(bootstrap, shareGroup)) {
                silent.subscribe(List.of(topic));
                int held = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (held < 3 && System.nanoTime() < deadline)
                    held += poll(silent).size();
                assertEquals(3, held, "earliest: the records written before the group existed are delivered");

                other.subscribe(List.of(topic));
                Map<String, Short> redelivered = new TreeMap<>();
                // well within the broker's 30 s lock: only the group's 5 s brings them back this soon
                deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (redelivered.size() < 3 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : poll(other)) {
                        // the first delivery to this consumer counts: a late acknowledgement may bring a third
                        redelivered.putIfAbsent(r.value(), r.deliveryCount().orElse((short) -1));
                        other.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    other.commitSync();
                }
                assertEquals(Map.of("k0", (short) 2, "k1", (short) 2, "k2", (short) 2), redelivered);
            }

            configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--alter",
                    "--entity-type",
                    "groups",
                    "--entity-name",
                    consumerGroup,
                    "--add-config",
                    "consumer.session.timeout.ms=4000,consumer.heartbeat.interval.ms=500");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                // the admin client connects first (the group does not exist yet), so that the count below is
                // one round trip after the join, well inside the 4 s session
                admin.describeCluster().nodes().get();
                assertEquals(500, join(skiff, consumerGroup, topic).heartbeatIntervalMs());
                assertEquals(1, members(admin, consumerGroup));
                // the member never heartbeats again: the group's 4 s session (not the broker's 45 s) removes it
                Poll.until(
                        Duration.ofSeconds(20),
                        "the silent member removed after the group's session timeout",
                        () -> members(admin, consumerGroup),
                        n -> n == 0);
            }

            skiff.restart();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                ConfigResource share = new ConfigResource(ConfigResource.Type.GROUP, shareGroup);
                ConfigResource consumer = new ConfigResource(ConfigResource.Type.GROUP, consumerGroup);
                Map<ConfigResource, Config> after =
                        admin.describeConfigs(List.of(share, consumer)).all().get();
                assertEquals(
                        "5000",
                        after.get(share).get("share.record.lock.duration.ms").value());
                assertEquals(
                        "earliest",
                        after.get(share).get("share.auto.offset.reset").value());
                assertEquals(
                        "4000",
                        after.get(consumer).get("consumer.session.timeout.ms").value());
                assertEquals(
                        List.of(consumerGroup, shareGroup),
                        admin
                                .listConfigResources(
                                        java.util.Set.of(ConfigResource.Type.GROUP),
                                        new org.apache.kafka.clients.admin.ListConfigResourcesOptions())
                                .all()
                                .get()
                                .stream()
                                .map(ConfigResource::name)
                                .sorted()
                                .toList());
            }
            assertEquals(
                    500, join(skiff, consumerGroup, topic).heartbeatIntervalMs(), "still in force after a restart");
        }
    }
}
