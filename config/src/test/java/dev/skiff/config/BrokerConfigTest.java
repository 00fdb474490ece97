package dev.skiff.config;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void defaultsMatchTheStandaloneServer() {
        BrokerConfig c = BrokerConfig.defaults();
        assertEquals("127.0.0.1", c.host);
        assertEquals(9092, c.port);
        assertEquals("./skiff-data", c.dataDir.toString());
        assertTrue(c.autoCreateTopics);
        assertEquals(1, c.numPartitions);
    }

    @Test
    void readsKafkaKeyNamesAndScalesHours() {
        BrokerConfig c = BrokerConfig.of(Map.of(
                "listeners",
                "PLAINTEXT://0.0.0.0:19092",
                "log.dirs",
                "/a,/b",
                "log.retention.hours",
                "2",
                "num.partitions",
                "3",
                "auto.create.topics.enable",
                "false"));
        assertEquals("0.0.0.0", c.host);
        assertEquals(19092, c.port);
        assertEquals("/a", c.dataDir.toString());
        assertEquals(2 * 3600_000L, c.retentionMs);
        assertEquals(3, c.numPartitions);
        assertFalse(c.autoCreateTopics);
    }

    @Test
    void msKeyWinsOverHours() {
        BrokerConfig c = BrokerConfig.of(Map.of("log.retention.ms", "5", "log.retention.hours", "2"));
        assertEquals(5, c.retentionMs);
    }

    @Test
    void offsetsRetentionIsInMinutesWithKafkasDefault() {
        assertEquals(10_080L * 60_000, BrokerConfig.defaults().offsetsRetentionMs);
        assertEquals(2 * 60_000, BrokerConfig.of(Map.of("offsets.retention.minutes", "2")).offsetsRetentionMs);
    }

    @Test
    void badValuesAreRejectedWithTheKeyName() {
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of("num.partitions", "x")));
        assertTrue(e.getMessage().contains("num.partitions"));
        assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of("port", "70000")));
        assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of("auto.create.topics.enable", "yes")));
    }

    @Test
    void topicConfigValidation() {
        assertNull(TopicConfig.validate("cleanup.policy", "compact,delete"));
        assertNotNull(TopicConfig.validate("cleanup.policy", "forever"));
        assertNotNull(TopicConfig.validate("retention.ms", "soon"));
        assertNotNull(TopicConfig.validate("no.such.key", "1"));
    }
}
