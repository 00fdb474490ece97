package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.config.BrokerConfig;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creation is all or nothing: a topic that could not be made durable is neither served nor back after a restart. */
class TopicCreationTest {
    @TempDir
    Path dir;

    private final BrokerConfig config = BrokerConfig.defaults();

    /** Files under the data dir, with the description or a partition directory failing on demand. */
    private final class Failing extends ForwardingLogs {
        volatile boolean failSave;
        volatile int failPartition = -1;

        Failing() {
            super(LogFactory.files(dir));
        }

        @Override
        public Log create(TopicPartition tp, LogConfig c) {
            if (tp.partition() == failPartition)
                throw new UncheckedIOException(new IOException("injected: no space left"));
            return super.create(tp, c);
        }

        @Override
        public void saveTopic(String name, Properties d) {
            if (failSave) throw new UncheckedIOException(new IOException("injected: no space left"));
            super.saveTopic(name, d);
        }
    }

    private List<String> partitionDirs() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))
                    .forEach(p -> out.add(p.getFileName().toString()));
            return out;
        }
    }

    @Test
    void aDescriptionThatCannotBeSavedLeavesNoTopicAndNoFiles() throws IOException {
        Failing logs = new Failing();
        try (TopicManager topics = new TopicManager(config, logs)) {
            logs.failSave = true;
            ApiException e = assertThrows(ApiException.class, () -> topics.create("t", 3, Map.of()));
            assertEquals(Errors.KAFKA_STORAGE_ERROR, e.error());
            assertNull(topics.get("t"));
            assertEquals(List.of(), partitionDirs());

            logs.failSave = false;
            topics.create("grows", 1, Map.of());
            logs.failSave = true;
            assertEquals(
                    Errors.KAFKA_STORAGE_ERROR,
                    assertThrows(ApiException.class, () -> topics.addPartitions("grows", 3))
                            .error());
            assertEquals(1, topics.get("grows").partitions().size());
            assertEquals(List.of("grows-0"), partitionDirs());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertNull(topics.get("t"));
            assertEquals(1, topics.get("grows").partitions().size());
        }
    }

    @Test
    void aPartitionThatCannotBeCreatedUndoesThoseBeforeIt() throws IOException {
        Failing logs = new Failing();
        try (TopicManager topics = new TopicManager(config, logs)) {
            logs.failPartition = 2;
            assertEquals(
                    Errors.KAFKA_STORAGE_ERROR,
                    assertThrows(ApiException.class, () -> topics.create("t", 4, Map.of()))
                            .error());
            assertNull(topics.get("t"));
            assertEquals(List.of(), partitionDirs());
        }
    }

    @Test
    void leftoversOfAnInterruptedCreationAreNotServedAsTheNewTopic() {
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            topics.create("t", 1, Map.of()).partition(0).log().append(batch());
        }
        // a crash between the directories and the description: only the directory is there
        try (Stream<Path> s = Files.list(dir.resolve(".skiff").resolve("topics"))) {
            s.forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertNull(topics.get("t"));
            assertEquals(0, topics.create("t", 1, Map.of()).partition(0).log().logEndOffset());
        }
    }

    @Test
    void namesUpToKafkasLimitAreSavedAndComeBack() {
        String longest = "n".repeat(249);
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertNotNull(topics.create(longest, 2, Map.of("retention.ms", "1000")));
            assertEquals(
                    Errors.INVALID_PARTITIONS,
                    assertThrows(ApiException.class, () -> topics.addPartitions(longest, 100_001))
                            .error());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Topic t = topics.get(longest);
            assertNotNull(t);
            assertEquals(2, t.partitions().size());
            assertEquals("1000", t.configs().get("retention.ms"));
        }
    }

    @Test
    void aDescriptionOfAnOlderVersionNamedByTopicIsReadAndReplaced() throws IOException {
        Path topicsDir = Files.createDirectories(dir.resolve(".skiff").resolve("topics"));
        Properties p = new Properties();
        p.setProperty("id", "AAAAAAAAAAAAAAAAAAAAAQ");
        p.setProperty("partitions", "1");
        try (var out = Files.newBufferedWriter(topicsDir.resolve("old.properties"))) {
            p.store(out, null);
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertNotNull(topics.get("old"));
            topics.setConfigs("old", Map.of("retention.ms", "5"));
        }
        assertFalse(Files.exists(topicsDir.resolve("old.properties")));
        assertTrue(Files.exists(topicsDir.resolve("AAAAAAAAAAAAAAAAAAAAAQ.properties")));
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertEquals("5", topics.get("old").configs().get("retention.ms"));
        }
    }

    @Test
    void aBatchWhoseDescriptionsCannotBeSavedLeavesNoneOfItsTopics() throws IOException {
        Failing logs = new Failing();
        try (TopicManager topics = new TopicManager(config, logs)) {
            logs.failSave = true;
            List<TopicManager.Outcome> out = topics.createAll(List.of(
                    new TopicManager.NewTopic("a", 2, Map.of()),
                    new TopicManager.NewTopic("b", 3, Map.of()),
                    new TopicManager.NewTopic("c", 1, Map.of())));
            for (TopicManager.Outcome o : out) {
                assertNull(o.topic());
                assertEquals(Errors.KAFKA_STORAGE_ERROR, o.error().error());
            }
            assertTrue(topics.all().isEmpty());
            assertEquals(List.of(), partitionDirs());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertTrue(topics.all().isEmpty());
        }
    }

    @Test
    void aTopicOfABatchWhosePartitionsCannotBeMadeFailsAlone() throws IOException {
        Failing logs = new Failing();
        try (TopicManager topics = new TopicManager(config, logs)) {
            logs.failPartition = 2;
            List<TopicManager.Outcome> out = topics.createAll(List.of(
                    new TopicManager.NewTopic("small", 2, Map.of()),
                    new TopicManager.NewTopic("big", 4, Map.of()),
                    new TopicManager.NewTopic("small", 1, Map.of()),
                    new TopicManager.NewTopic("bad/name", 1, Map.of()),
                    new TopicManager.NewTopic("one", 1, Map.of("retention.ms", "7"))));
            assertEquals(Errors.INVALID_REQUEST, out.get(0).error().error());
            assertEquals(Errors.KAFKA_STORAGE_ERROR, out.get(1).error().error());
            assertEquals(Errors.INVALID_REQUEST, out.get(2).error().error());
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION, out.get(3).error().error());
            assertNull(out.get(4).error());
            assertEquals(1, out.get(4).topic().partitions().size());
            assertEquals(List.of("one-0"), partitionDirs());
            assertEquals(
                    Errors.TOPIC_ALREADY_EXISTS,
                    topics.createAll(List.of(new TopicManager.NewTopic("one", 1, Map.of())))
                            .get(0)
                            .error()
                            .error());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertEquals(1, topics.all().size());
            assertEquals("7", topics.get("one").configs().get("retention.ms"));
        }
    }

    @Test
    void aSaveOfManyThatFailsPartWayRemovesTheDescriptionsAlreadyInPlace() throws IOException {
        LogFactory.OnDisk files = (LogFactory.OnDisk) LogFactory.files(dir);
        Path topicsDir = dir.resolve(".skiff").resolve("topics");
        // the second description cannot be renamed into place: a non-empty directory holds its name
        Files.createDirectories(
                topicsDir.resolve("BBBBBBBBBBBBBBBBBBBBBQ.properties").resolve("x"));
        Map<String, Properties> batch = new java.util.LinkedHashMap<>();
        batch.put("a", description("AAAAAAAAAAAAAAAAAAAAAQ"));
        batch.put("b", description("BBBBBBBBBBBBBBBBBBBBBQ"));
        assertThrows(UncheckedIOException.class, () -> files.saveTopics(batch));
        assertFalse(Files.exists(topicsDir.resolve("AAAAAAAAAAAAAAAAAAAAAQ.properties")));
        try (Stream<Path> s = Files.list(topicsDir)) {
            assertEquals(
                    List.of("BBBBBBBBBBBBBBBBBBBBBQ.properties"),
                    s.map(f -> f.getFileName().toString()).toList());
        }
        Files.delete(topicsDir.resolve("BBBBBBBBBBBBBBBBBBBBBQ.properties").resolve("x"));
        Files.delete(topicsDir.resolve("BBBBBBBBBBBBBBBBBBBBBQ.properties"));
        files.saveTopics(batch);
        assertEquals(
                List.of("a", "b"),
                List.copyOf(LogFactory.files(dir).loadTopics().keySet()));
    }

    @Test
    void aNewTopicMakesEachPartitionDirectoryOnFirstUseOnly() throws IOException {
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Topic t = topics.create("lazy", 3, Map.of());
            assertEquals(List.of(), partitionDirs(), "the description only");
            assertNull(t.partition(2).logIfMade());
            t.partition(1).log().append(batch());
            assertTrue(partitionDirs().contains("lazy-1"));
            assertEquals(1, t.partition(1).log().logEndOffset());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Topic t = topics.get("lazy");
            assertEquals(3, t.partitions().size());
            assertNull(t.partition(0).logIfMade(), "a partition never used is not made by a start either");
            assertEquals(List.of("lazy-1"), partitionDirs());
            assertEquals(0, t.partition(0).log().logEndOffset(), "a directory never made opens empty");
            assertEquals(1, t.partition(1).log().logEndOffset());
            assertEquals(0, t.partition(2).log().logEndOffset());
        }
    }

    @Test
    void aTopicDeletedBeforeAnyUseLeavesNothingAndItsNameCanBeCreatedAgain() throws IOException {
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Topic t = topics.create("brief", 2, Map.of());
            t.partition(0).log().append(batch());
            assertTrue(topics.delete("brief"));
            assertEquals(List.of(), partitionDirs());
            assertThrows(
                    dev.skiff.log.LogStorageException.class,
                    () -> t.partition(1).log());
            assertEquals(List.of(), partitionDirs(), "a late use of the deleted partition makes nothing");

            Topic again = topics.create("brief", 2, Map.of());
            assertEquals(0, again.partition(0).log().logEndOffset());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            assertEquals(0, topics.get("brief").partition(0).log().logEndOffset());
        }
    }

    @Test
    void retentionAndFlushesMakeNoDirectoryForPartitionsNeverUsed() throws IOException {
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            topics.create("idle", 4, Map.of("retention.ms", "1"));
            topics.applyRetention(System.currentTimeMillis() + 60_000);
            topics.flushAll();
            assertEquals(List.of(), partitionDirs());
        }
    }

    private static Properties description(String id) {
        Properties p = new Properties();
        p.setProperty("id", id);
        p.setProperty("partitions", "1");
        return p;
    }

    private static ByteBuffer batch() {
        return new RecordBatchBuilder(CompressionType.NONE)
                .append(1_000L, "k".getBytes(), "v".getBytes())
                .build();
    }

    /**
     * A cluster member's partitions lead nothing until the metadata gives them a role, but those of
     * __share_group_state, which each broker keeps for itself and no metadata assigns: found on disk at start,
     * or made later.
     */
    @Test
    void aClusterMemberLeadsItsOwnShareGroupStateWithoutARole() {
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir.resolve("restarted")))) {
            topics.create("data", 1, Map.of());
            topics.getOrCreateInternal(InternalTopics.SHARE_GROUP_STATE, 2, Map.of());
            topics.becomeClusterMember();
            assertFalse(topics.partition("data", 0).isLeader());
            assertTrue(topics.partition(InternalTopics.SHARE_GROUP_STATE, 1).isLeader());
        }
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir.resolve("fresh")))) {
            topics.becomeClusterMember();
            topics.create("data", 1, Map.of());
            topics.getOrCreateInternal(InternalTopics.SHARE_GROUP_STATE, 2, Map.of());
            assertFalse(topics.partition("data", 0).isLeader());
            assertTrue(topics.partition(InternalTopics.SHARE_GROUP_STATE, 0).isLeader());
        }
    }
}
