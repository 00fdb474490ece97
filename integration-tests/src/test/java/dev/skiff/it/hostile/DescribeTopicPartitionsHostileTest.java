package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * DescribeTopicPartitions asked for too much over a real socket: 201 topics of 10 partitions (2,010, just past Kafka's
 * page cap; each partition costs disk work at creation and restart), limits of Integer.MAX_VALUE and
 * MIN_VALUE, cursors naming unknown topics and partitions far past the end, 20,000 names in one request, and
 * every page walked with a limit of one partition. Answers stay within Kafka's 2,000 partitions, the walk ends,
 * and the broker serves on and restarts intact.
 */
class DescribeTopicPartitionsHostileTest {

    private static final int TOPICS = 201;
    private static final int PARTITIONS = 10;

    private static DescribeTopicPartitionsResponseData ask(
            KafkaWire wire, List<String> names, int limit, String cursorTopic, int cursorPartition) throws Exception {
        DescribeTopicPartitionsRequestData req =
                new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(limit);
        for (String n : names) req.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(n));
        if (cursorTopic != null)
            req.setCursor(new DescribeTopicPartitionsRequestData.Cursor()
                    .setTopicName(cursorTopic)
                    .setPartitionIndex(cursorPartition));
        return wire.send(req, 0);
    }

    private static int partitions(DescribeTopicPartitionsResponseData r) {
        int n = 0;
        for (var t : r.topics()) n += t.partitions().size();
        return n;
    }

    @Test
    void hugeAndHostilePagesAreBoundedAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            List<org.apache.kafka.clients.admin.NewTopic> many = new ArrayList<>();
            for (int i = 0; i < TOPICS; i++)
                many.add(new org.apache.kafka.clients.admin.NewTopic(
                        String.format("many-%05d", i), PARTITIONS, (short) 1));
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(many).all().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                DescribeTopicPartitionsResponseData r = ask(wire, List.of(), Integer.MAX_VALUE, null, 0);
                assertEquals(2000, partitions(r), "Kafka's max.request.partition.size.limit caps the page");
                assertNotNull(r.nextCursor());

                r = ask(wire, List.of(), Integer.MIN_VALUE, null, 0);
                assertEquals(1, partitions(r));

                r = ask(wire, List.of(), 10, "zzz-no-such-topic", 1_000_000_000);
                assertEquals(0, r.topics().size());
                assertNull(r.nextCursor());

                r = ask(wire, List.of(), 10, "many-00007", Integer.MAX_VALUE);
                assertEquals(0, r.topics().find("many-00007").partitions().size());
                assertEquals(10, partitions(r));

                List<String> names = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) names.add("unknown-" + i);
                r = ask(wire, names, 5, null, 0);
                assertEquals(20_000, r.topics().size());
                assertTrue(
                        r.topics().stream().allMatch(t -> t.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));

                r = ask(wire, List.of("many-00001"), 10, "many-00001", -7);
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        r.topics().iterator().next().errorCode());

                // walk every page of 600 partitions: the cursor always moves on, and every partition is seen once
                int seen = 0;
                int pages = 0;
                String cursorTopic = "many-";
                int cursorPartition = 0;
                while (cursorTopic != null) {
                    r = ask(wire, List.of(), 600, cursorTopic, cursorPartition);
                    for (var t : r.topics())
                        if (t.name().startsWith("many-")) seen += t.partitions().size();
                    cursorTopic = r.nextCursor() == null ? null : r.nextCursor().topicName();
                    cursorPartition =
                            r.nextCursor() == null ? 0 : r.nextCursor().partitionIndex();
                    assertTrue(++pages <= 10, "the walk ends");
                }
                assertEquals(PARTITIONS * TOPICS, seen);
            }
            survival.assertServedAndRestartsIntact();
        }
    }
}
