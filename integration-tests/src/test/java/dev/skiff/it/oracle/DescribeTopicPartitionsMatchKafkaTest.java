package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.control.ControlHandle;
import dev.skiff.server.control.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DescribeTopicPartitions (KIP-966) against Apache Kafka 4.1.1: kafka-clients 4.x's Admin.describeTopics (which
 * pages with it), and raw requests for the paging rules (limits, cursors), unknown and badly named topics and
 * cursors Kafka refuses. Node ids differ between the two brokers, so answers are compared by shape: names,
 * errors, ids known or not, partition indexes, leader epochs, replica and ISR counts, the next cursor.
 */
class DescribeTopicPartitionsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic("pg-a", 3);
        brokers.createTopic("pg-b", 2);
        brokers.createTopic("pg-c", 4);
    }

    /** An answer by shape. */
    private static List<Object> describe(
            OracleAndSkiff.Target t, List<String> names, int limit, String cursorTopic, int cursorPartition)
            throws Exception {
        DescribeTopicPartitionsRequestData req =
                new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(limit);
        for (String n : names) req.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName(n));
        if (cursorTopic != null)
            req.setCursor(new DescribeTopicPartitionsRequestData.Cursor()
                    .setTopicName(cursorTopic)
                    .setPartitionIndex(cursorPartition));
        try (KafkaWire wire = t.connect()) {
            DescribeTopicPartitionsResponseData r = wire.send(req, 0);
            List<Object> out = new ArrayList<>();
            for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic rt : r.topics()) {
                if (names.isEmpty() && !rt.name().startsWith("pg-")) continue; // each broker's internal topics
                List<String> ps = new ArrayList<>();
                for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition p : rt.partitions())
                    ps.add(p.partitionIndex() + "@" + p.leaderEpoch() + " leader=" + (p.leaderId() >= 0) + " r="
                            + p.replicaNodes().size() + " isr=" + p.isrNodes().size() + " elr="
                            + p.eligibleLeaderReplicas() + " lastElr=" + p.lastKnownElr() + " offline="
                            + p.offlineReplicas());
                out.add(List.of(
                        rt.name(),
                        Errors.forCode(rt.errorCode()).name(),
                        rt.topicId().equals(org.apache.kafka.common.Uuid.ZERO_UUID) ? "no id" : "id",
                        rt.isInternal(),
                        rt.topicAuthorizedOperations(),
                        ps));
            }
            out.add(
                    r.nextCursor() == null
                            ? "no cursor"
                            : "cursor " + r.nextCursor().topicName() + "/"
                                    + r.nextCursor().partitionIndex());
            return out;
        }
    }

    @Test
    void pagesOfNamedTopics() throws Exception {
        List<String> named = List.of("pg-c", "pg-a", "pg-b", "pg-a");
        for (int limit : new int[] {1, 2, 3, 4, 5, 9, 100, 2000, 2001, 0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            brokers.same("named topics, limit " + limit, t -> describe(t, named, limit, null, 0));
        }
        brokers.same("named topics from a cursor", t -> describe(t, named, 3, "pg-a", 2));
        brokers.same("a cursor past the topic's partitions", t -> describe(t, named, 3, "pg-b", 50));
    }

    @Test
    void pagesOfAllTopics() throws Exception {
        brokers.same("all topics from pg-", t -> describe(t, List.of(), 4, "pg-", 0));
        brokers.same("all topics from inside pg-b", t -> describe(t, List.of(), 4, "pg-b", 1));
        brokers.same("all topics, a cursor naming no topic", t -> describe(t, List.of(), 100, "pg-bb", 3));
    }

    @Test
    void unknownTopicsAndRefusedCursors() throws Exception {
        brokers.same(
                "unknown and badly named topics",
                t -> describe(t, List.of("pg-nope", "pg-a", "bad name!"), 100, null, 0));
        // an empty name without cursor: Kafka 4.1.1 fails the whole request with UNKNOWN_SERVER_ERROR (its
        // handler looks the missing cursor up for the topic named ""); Skiff answers INVALID_TOPIC_EXCEPTION
        brokers.same("an empty name after a cursor", t -> describe(t, List.of("", "pg-a"), 100, "", 1));
        brokers.same("a cursor outside the named topics", t -> describe(t, List.of("pg-a", "pg-b"), 10, "pg-c", 0));
        brokers.same("a negative cursor partition", t -> describe(t, List.of("pg-a"), 10, "pg-a", -1));
    }

    private static List<Object> admin(OracleAndSkiff.Target t, int pageSize) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, t.bootstrap()))) {
            Map<String, TopicDescription> d = admin.describeTopics(
                            List.of("pg-a", "pg-b", "pg-c"),
                            new DescribeTopicsOptions()
                                    .partitionSizeLimitPerResponse(pageSize)
                                    .includeAuthorizedOperations(true))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            List<Object> out = new ArrayList<>();
            for (String n : List.of("pg-a", "pg-b", "pg-c")) {
                TopicDescription td = d.get(n);
                List<String> ps = new ArrayList<>();
                td.partitions()
                        .forEach(p -> ps.add(p.partition() + " leader=" + (p.leader() != null) + " r="
                                + p.replicas().size() + " isr=" + p.isr().size() + " elr=" + p.elr() + " lastElr="
                                + p.lastKnownElr()));
                out.add(List.of(td.name(), td.isInternal(), String.valueOf(td.authorizedOperations()), ps));
            }
            try {
                admin.describeTopics(List.of("pg-missing")).allTopicNames().get(30, TimeUnit.SECONDS);
                out.add("missing: found");
            } catch (java.util.concurrent.ExecutionException e) {
                out.add("missing: " + e.getCause().getClass().getSimpleName());
            }
            return out;
        }
    }

    @Test
    void adminDescribeTopicsPagesThroughDescribeTopicPartitions() throws Exception {
        List<Object> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        ControlHandle watch = brokers.embeddedSkiff()
                .control(dev.skiff.protocol.ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (ctx, request) -> {
                    asked.add(request);
                    return Reply.keep();
                });
        try {
            for (int pageSize : new int[] {1, 2, 2000})
                brokers.same("Admin.describeTopics, pages of " + pageSize, t -> admin(t, pageSize));
        } finally {
            watch.remove();
        }
        // pages of one partition: at least one request per partition of the nine
        assertTrue(asked.size() >= 10, "Skiff was asked with DescribeTopicPartitions: " + asked.size());
    }
}
