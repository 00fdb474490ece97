package dev.skiff.it.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.config.BrokerConfig;
import dev.skiff.it.Poll;
import dev.skiff.server.SkiffServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability settings take effect end to end: fsyncs of segment files are counted under the log layer
 * while a real producer writes. Default: none (the page cache, like Kafka). log.flush.interval.messages and
 * a topic's flush.messages: every N messages. log.flush.interval.ms and a topic's flush.ms (also when altered):
 * by the broker's flusher.
 * skiff.fsync.on.acks.all: before each acks=all answer, and not for acks=1.
 */
class FlushSettingsTest {

    static final String TOPIC = "flushy";

    @TempDir
    Path dataDir;

    final InjectedDisk disk = new InjectedDisk();
    SkiffServer server;
    KafkaProducer<String, String> producer;

    private void start(Map<String, String> extra, String acks) {
        Map<String, String> props =
                new HashMap<>(Map.of("host.name", "127.0.0.1", "port", "0", "log.dirs", dataDir.toString()));
        props.putAll(extra);
        server = SkiffServer.start(BrokerConfig.of(props), LogFactory.files(dataDir, disk), Map.of(TOPIC, 1));
        Properties p = DamagedFilesRecoveryTest.producerProps("127.0.0.1:" + server.port());
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        if (!acks.equals("all")) p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        producer = new KafkaProducer<>(p);
    }

    @AfterEach
    void stop() {
        if (producer != null) producer.close();
        if (server != null) server.close();
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + server.port()));
    }

    private void createTopic(String name, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
    }

    /** Waits for a segment fsync after the count {@code seen}: the scheduled flush. */
    private void awaitForceAfter(long seen) {
        Poll.until(Duration.ofSeconds(10), "a scheduled flush", disk.logForces::get, n -> n > seen);
    }

    /** Sends n records, one batch each (waiting for each answer), and returns the fsyncs they caused. */
    private long sendOneByOne(int n) throws Exception {
        long before = disk.logForces.get();
        for (int i = 0; i < n; i++)
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "r" + i)).get();
        return disk.logForces.get() - before;
    }

    @Test
    void byDefaultNothingIsForcedOnProduce() throws Exception {
        start(Map.of(), "all");
        assertEquals(0, sendOneByOne(20), "default: the answer follows the write to the page cache");
    }

    @Test
    void flushIntervalMessagesForcesEveryNMessages() throws Exception {
        start(Map.of("log.flush.interval.messages", "5"), "all");
        assertEquals(4, sendOneByOne(20));
    }

    @Test
    void topicFlushMessagesOverridesTheBrokerDefault() throws Exception {
        start(Map.of(), "all");
        createTopic("each", Map.of("flush.messages", "1"));
        long before = disk.logForces.get();
        for (int i = 0; i < 7; i++)
            producer.send(new ProducerRecord<>("each", 0, null, "r" + i)).get();
        assertEquals(7, disk.logForces.get() - before);
        assertEquals(0, sendOneByOne(5), "the other topic keeps the broker default");
    }

    @Test
    void flushIntervalMsForcesOnASchedule() throws Exception {
        start(Map.of("log.flush.interval.ms", "100"), "all");
        long seen = disk.logForces.get();
        sendOneByOne(3);
        awaitForceAfter(seen);
    }

    @Test
    void topicFlushMsForcesThatTopicOnItsOwnSchedule() throws Exception {
        start(Map.of(), "all");
        createTopic("timed", Map.of("flush.ms", "100"));
        long seen = disk.logForces.get();
        producer.send(new ProducerRecord<>("timed", 0, null, "r")).get();
        awaitForceAfter(seen);
    }

    @Test
    void aTopicsFlushMsTakesEffectWhenAltered() throws Exception {
        start(Map.of(), "all");
        assertEquals(0, sendOneByOne(3));
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                            List.of(new AlterConfigOp(new ConfigEntry("flush.ms", "100"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
        long seen = disk.logForces.get();
        awaitForceAfter(seen);
        // as Kafka's flusher: a partition with nothing new is not forced again (ten flush.ms periods)
        long flushed = disk.logForces.get();
        Thread.sleep(1_000);
        assertEquals(flushed, disk.logForces.get(), "an idle partition was forced again");
    }

    @Test
    void fsyncOnAcksAllForcesBeforeEachAnswer() throws Exception {
        start(Map.of("skiff.fsync.on.acks.all", "true"), "all");
        long forced = sendOneByOne(10);
        assertTrue(forced >= 10, "one fsync per acks=all produce, before its answer: " + forced);
    }

    @Test
    void fsyncOnAcksAllLeavesAcksOneAlone() throws Exception {
        start(Map.of("skiff.fsync.on.acks.all", "true"), "1");
        assertEquals(0, sendOneByOne(10));
    }
}
