package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Kafka 4.1's own command line tools against Skiff: kafka-topics (create, list, describe), the console
 * producer and consumer, kafka-consumer-groups --describe with lag, and the producer and consumer performance
 * tools. The assertions read what the tools print, as a user would.
 */
class StockToolsTest {

    private static EmbeddedSkiff skiff;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder()
                .property("auto.create.topics.enable", "false")
                .start();
        bootstrap = skiff.bootstrapServers();
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @Test
    void topicsCreateListDescribe() {
        String created = KafkaTool.ok(
                KafkaTool.TOPICS,
                null,
                "--bootstrap-server",
                bootstrap,
                "--create",
                "--topic",
                "tool-topic",
                "--partitions",
                "3",
                "--replication-factor",
                "1");
        assertTrue(created.contains("Created topic tool-topic."), created);

        List<String> listed =
                KafkaTool.lines(KafkaTool.ok(KafkaTool.TOPICS, null, "--bootstrap-server", bootstrap, "--list"));
        assertTrue(listed.contains("tool-topic"), "kafka-topics --list printed " + listed);

        String described = KafkaTool.ok(
                KafkaTool.TOPICS, null, "--bootstrap-server", bootstrap, "--describe", "--topic", "tool-topic");
        assertTrue(
                Pattern.compile("Topic: tool-topic\\s+TopicId: \\S+\\s+PartitionCount: 3\\s+ReplicationFactor: 1")
                        .matcher(described)
                        .find(),
                described);
        for (int p = 0; p < 3; p++) {
            assertTrue(
                    Pattern.compile("Topic: tool-topic\\s+Partition: " + p
                                    + "\\s+Leader: (\\d+)\\s+Replicas: \\1\\s+Isr: \\1")
                            .matcher(described)
                            .find(),
                    "partition " + p + " in:\n" + described);
        }
    }

    @Test
    void consoleProducerThenConsoleConsumer() {
        skiff.createTopic("console", 1);
        String input =
                IntStream.range(0, 20).mapToObj(i -> "key" + i + ":line " + i).collect(Collectors.joining("\n")) + "\n";
        KafkaTool.ok(
                KafkaTool.CONSOLE_PRODUCER,
                input,
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "console",
                "--property",
                "parse.key=true",
                "--property",
                "key.separator=:");

        String consumed = KafkaTool.ok(
                KafkaTool.CONSOLE_CONSUMER,
                null,
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "console",
                "--from-beginning",
                "--max-messages",
                "20",
                "--timeout-ms",
                "30000",
                "--property",
                "print.key=true",
                "--property",
                "key.separator=|");
        List<String> records = KafkaTool.lines(consumed).stream()
                .filter(l -> l.startsWith("key"))
                .toList();
        List<String> expected =
                IntStream.range(0, 20).mapToObj(i -> "key" + i + "|line " + i).toList();
        assertEquals(expected, records, "console consumer output:\n" + consumed);
        assertTrue(consumed.contains("Processed a total of 20 messages"), consumed);
    }

    @Test
    void consumerGroupsDescribeShowsLag() throws Exception {
        skiff.createTopic("lagging", 2);
        // ten records spread over both partitions, then offsets committed below the log ends
        KafkaTool.ok(
                KafkaTool.PRODUCER_PERFORMANCE,
                null,
                "--topic",
                "lagging",
                "--num-records",
                "10",
                "--record-size",
                "10",
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + bootstrap,
                "partitioner.class=" + "org.apache.kafka.clients.producer.RoundRobinPartitioner");
        commit("lag-group", Map.of(new TopicPartition("lagging", 0), 2L, new TopicPartition("lagging", 1), 5L));

        String out = KafkaTool.ok(
                KafkaTool.CONSUMER_GROUPS, null, "--bootstrap-server", bootstrap, "--describe", "--group", "lag-group");
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
        Pattern row = Pattern.compile("lag-group\\s+lagging\\s+(\\d)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");
        Matcher m = row.matcher(out);
        int rows = 0;
        long totalEnd = 0;
        while (m.find()) {
            rows++;
            int partition = Integer.parseInt(m.group(1));
            long current = Long.parseLong(m.group(2));
            long end = Long.parseLong(m.group(3));
            long lag = Long.parseLong(m.group(4));
            assertEquals(partition == 0 ? 2 : 5, current, "current offset of partition " + partition + " in:\n" + out);
            assertEquals(end - current, lag, "lag of partition " + partition + " in:\n" + out);
            totalEnd += end;
        }
        assertEquals(2, rows, "rows of kafka-consumer-groups --describe:\n" + out);
        assertEquals(10, totalEnd, "log end offsets add up to the records sent:\n" + out);
    }

    @Test
    void producerAndConsumerPerformance() {
        skiff.createTopic("perf", 1);
        String produced = KafkaTool.ok(
                KafkaTool.PRODUCER_PERFORMANCE,
                null,
                "--topic",
                "perf",
                "--num-records",
                "50000",
                "--record-size",
                "100",
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + bootstrap);
        assertTrue(
                Pattern.compile("^50000 records sent, .* records/sec", Pattern.MULTILINE)
                        .matcher(produced)
                        .find(),
                produced);

        String consumed = KafkaTool.ok(
                KafkaTool.CONSUMER_PERFORMANCE,
                null,
                "--bootstrap-server",
                bootstrap,
                "--topic",
                "perf",
                "--messages",
                "50000",
                "--timeout",
                "60000");
        // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
        List<String> lines = KafkaTool.lines(consumed);
        int header = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("start.time")) header = i;
        assertTrue(header >= 0 && header + 1 < lines.size(), consumed);
        String[] values = lines.get(header + 1).split(",\\s*");
        assertEquals(50000, Long.parseLong(values[4].trim()), "data.consumed.in.nMsg in:\n" + consumed);
    }

    private static void commit(String group, Map<TopicPartition, Long> offsets) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(offsets.keySet());
            c.commitSync(
                    offsets.entrySet().stream()
                            .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue()))),
                    Duration.ofSeconds(30));
        }
    }
}
