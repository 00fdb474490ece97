package dev.skiff.it.admin;

import static dev.skiff.it.admin.AdminClients.failure;
import static dev.skiff.it.admin.AdminClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CreateTopics, DeleteTopics and CreatePartitions through kafka-clients 4.1.1's Admin. The exception each
 * test expects is the one Apache Kafka 4.x answers with (its error code in the test name).
 */
@Timeout(120)
class TopicAdminTest {

    static EmbeddedSkiff broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .port(0)
                .property("num.partitions", "2")
                .property("auto.create.topics.enable", "false")
                .start();
        admin = AdminClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (broker != null) broker.close();
    }

    @Test
    void createWithDefaultsAnswersPartitionsReplicationConfigsAndId() throws Exception {
        CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty())
                .configs(Map.of("retention.ms", "123456"))));
        get(r.all());
        assertEquals(2, get(r.numPartitions("defaults")), "num_partitions -1 takes num.partitions");
        assertEquals(1, get(r.replicationFactor("defaults")));
        Uuid id = get(r.topicId("defaults"));
        assertNotEquals(Uuid.ZERO_UUID, id);
        assertEquals("123456", get(r.config("defaults")).get("retention.ms").value());
        assertEquals("delete", get(r.config("defaults")).get("cleanup.policy").value());
        TopicDescription d =
                get(admin.describeTopics(List.of("defaults")).allTopicNames()).get("defaults");
        assertEquals(2, d.partitions().size());
        assertEquals(id, d.topicId());
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        get(admin.createTopics(
                        List.of(new NewTopic("dry-run", 4, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all());
        assertFalse(get(admin.listTopics().names()).contains("dry-run"));
    }

    @Test
    void replicationFactorAboveOneIsInvalidReplicationFactor() throws Exception {
        Throwable t = failure(
                admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all());
        assertInstanceOf(InvalidReplicationFactorException.class, t); // INVALID_REPLICATION_FACTOR (38)
    }

    @Test
    void badConfigIsInvalidConfig() throws Exception {
        assertInstanceOf(
                InvalidConfigurationException.class,
                failure(admin.createTopics(List.of(
                                new NewTopic("bad-config", 1, (short) 1).configs(Map.of("cleanup.policy", "forever"))))
                        .all()));
        assertInstanceOf(
                InvalidConfigurationException.class,
                failure(admin.createTopics(List.of(
                                new NewTopic("bad-config", 1, (short) 1).configs(Map.of("no.such.config", "1"))))
                        .all()));
        assertFalse(get(admin.listTopics().names()).contains("bad-config"));
    }

    @Test
    void existingTopicIsTopicAlreadyExistsAndBadNameIsInvalidTopic() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("twice", 1, (short) 1))).all());
        assertInstanceOf(
                TopicExistsException.class,
                failure(admin.createTopics(List.of(new NewTopic("twice", 1, (short) 1)))
                        .all())); // TOPIC_ALREADY_EXISTS (36)
        assertInstanceOf(
                InvalidTopicException.class,
                failure(admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1)))
                        .all())); // INVALID_TOPIC_EXCEPTION (17)
    }

    @Test
    void deleteByNameAndById() throws Exception {
        Uuid id = get(admin.createTopics(List.of(new NewTopic("del-by-id", 1, (short) 1)))
                .topicId("del-by-id"));
        get(admin.createTopics(List.of(new NewTopic("del-by-name", 1, (short) 1)))
                .all());
        get(admin.deleteTopics(TopicCollection.ofTopicNames(List.of("del-by-name")))
                .all());
        get(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all());
        Set<String> names = Poll.until(
                "both topics gone",
                () -> get(admin.listTopics().names()),
                n -> !n.contains("del-by-id") && !n.contains("del-by-name"));
        assertFalse(names.contains("del-by-id"));
        assertInstanceOf(
                UnknownTopicOrPartitionException.class, // UNKNOWN_TOPIC_OR_PARTITION (3)
                failure(admin.deleteTopics(TopicCollection.ofTopicNames(List.of("never-was")))
                        .all()));
        assertInstanceOf(
                UnknownTopicIdException.class, // UNKNOWN_TOPIC_ID (100)
                failure(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.randomUuid())))
                        .all()));
    }

    @Test
    void createPartitionsGrowsAndNeverShrinks() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("grow", 2, (short) 1))).all());
        get(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5))).all());
        TopicDescription d = Poll.until(
                "5 partitions",
                () -> get(admin.describeTopics(List.of("grow")).allTopicNames()).get("grow"),
                x -> x.partitions().size() == 5);
        assertEquals(5, d.partitions().size());
        assertInstanceOf(
                InvalidPartitionsException.class, // INVALID_PARTITIONS (37)
                failure(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(3)))
                        .all()));
        assertInstanceOf(
                InvalidPartitionsException.class,
                failure(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5)))
                        .all()));
        assertInstanceOf(
                UnknownTopicOrPartitionException.class,
                failure(admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(5)))
                        .all()));
        assertTrue(get(admin.listTopics().names()).contains("grow"));
    }
}
