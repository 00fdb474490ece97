package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Kafka 4.1's kafka-share-groups (ShareGroupCommand) against Skiff: --list, --describe of the start
 * offsets and of the members while a KafkaShareConsumer is in the group, then --delete-offsets and --delete once
 * it left (4.1.1's tool has no --reset-offsets yet).
 */
class ShareGroupsToolTest {

    static final String SHARE_GROUPS = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";

    private static EmbeddedSkiff skiff;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder()
                .property("share.auto.offset.reset", "earliest")
                .start();
        bootstrap = skiff.bootstrapServers();
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @Test
    void listDescribeAndResetAShareGroup() throws Exception {
        skiff.createTopic("share-tool", 1);
        Properties pp = new Properties();
        pp.put("bootstrap.servers", bootstrap);
        pp.put("key.serializer", StringSerializer.class.getName());
        pp.put("value.serializer", StringSerializer.class.getName());
        try (var producer = new KafkaProducer<String, String>(pp)) {
            for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>("share-tool", 0, null, "m" + i));
        }
        Properties cp = new Properties();
        cp.put("bootstrap.servers", bootstrap);
        cp.put("group.id", "tool-share-group");
        cp.put("key.deserializer", StringDeserializer.class.getName());
        cp.put("value.deserializer", StringDeserializer.class.getName());
        cp.put("share.acknowledgement.mode", "explicit");
        cp.put("client.id", "tool-share-client");
        try (var consumer = new KafkaShareConsumer<String, String>(cp)) {
            consumer.subscribe(List.of("share-tool"));
            int accepted = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (accepted < 10 && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    accepted++;
                }
                consumer.commitSync();
            }
            assertEquals(10, accepted);

            List<String> listed =
                    KafkaTool.lines(KafkaTool.ok(SHARE_GROUPS, null, "--bootstrap-server", bootstrap, "--list"));
            assertTrue(listed.contains("tool-share-group"), () -> "--list printed " + listed);

            String offsets = KafkaTool.ok(
                    SHARE_GROUPS, null, "--bootstrap-server", bootstrap, "--describe", "--group", "tool-share-group");
            assertTrue(
                    offsets.lines().anyMatch(l -> l.matches("\\s*tool-share-group\\s+share-tool\\s+0\\s+10\\b.*")),
                    () -> "--describe printed:\n" + offsets);

            String members = KafkaTool.ok(
                    SHARE_GROUPS,
                    null,
                    "--bootstrap-server",
                    bootstrap,
                    "--describe",
                    "--group",
                    "tool-share-group",
                    "--members");
            assertTrue(
                    members.lines().anyMatch(l -> l.contains("tool-share-client") && l.contains("share-tool:0")),
                    () -> "--describe --members printed:\n" + members);
        }
        // the consumer left: its group's state of the topic may be deleted (4.1.1's tool has no --reset-offsets)
        String deleted = KafkaTool.ok(
                SHARE_GROUPS,
                null,
                "--bootstrap-server",
                bootstrap,
                "--delete-offsets",
                "--group",
                "tool-share-group",
                "--topic",
                "share-tool");
        assertTrue(deleted.contains("share-tool"), deleted);
        String after = KafkaTool.ok(
                SHARE_GROUPS, null, "--bootstrap-server", bootstrap, "--describe", "--group", "tool-share-group");
        assertTrue(
                after.lines().noneMatch(l -> l.matches("\\s*tool-share-group\\s+share-tool\\s+0\\s+10\\b.*")),
                () -> "--describe after --delete-offsets printed:\n" + after);
        // and then the whole group
        KafkaTool.ok(SHARE_GROUPS, null, "--bootstrap-server", bootstrap, "--delete", "--group", "tool-share-group");
        List<String> left =
                KafkaTool.lines(KafkaTool.ok(SHARE_GROUPS, null, "--bootstrap-server", bootstrap, "--list"));
        assertTrue(!left.contains("tool-share-group"), () -> "--list after --delete printed " + left);
    }
}
