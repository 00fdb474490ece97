package dev.skiff.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfigDef;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigDescriberTest {

    private static Map<String, ConfigDescriber.Described> byName(List<ConfigDescriber.Described> list) {
        return list.stream().collect(Collectors.toMap(ConfigDescriber.Described::name, Function.identity()));
    }

    @Test
    void defaultsAreKafka4Defaults() {
        Map<String, ConfigDescriber.Described> d = byName(new ConfigDescriber(BrokerConfig.defaults()).topic(Map.of()));
        assertEquals(TopicConfigDef.ALL.keySet(), d.keySet());
        Map<String, String> kafka = Map.of(
                "cleanup.policy",
                "delete",
                "retention.ms",
                "604800000",
                "retention.bytes",
                "-1",
                "segment.bytes",
                "1073741824",
                "segment.ms",
                "604800000",
                "max.message.bytes",
                "1048588",
                "message.timestamp.type",
                "CreateTime",
                "delete.retention.ms",
                "86400000",
                "message.timestamp.after.max.ms",
                "3600000",
                "compression.type",
                "producer");
        kafka.forEach((k, v) -> assertEquals(v, d.get(k).value(), k));
        for (ConfigDescriber.Described c : d.values()) {
            assertEquals(ConfigResources.DEFAULT_CONFIG, c.source(), c.name());
            assertTrue(c.isDefault(), c.name());
            assertFalse(c.readOnly(), c.name());
        }
        assertEquals(TopicConfigDef.Type.LIST.id, d.get("cleanup.policy").type());
        assertEquals(TopicConfigDef.Type.LONG.id, d.get("retention.ms").type());
        assertEquals(TopicConfigDef.Type.INT.id, d.get("segment.bytes").type());
        // Kafka names the default of retention.ms after log.retention.hours
        assertEquals(
                List.of(new ConfigDescriber.Synonym("log.retention.hours", "168", ConfigResources.DEFAULT_CONFIG)),
                d.get("retention.ms").synonyms());
    }

    @Test
    void sourcesFollowWhereTheValueIsSet() {
        BrokerConfig broker = BrokerConfig.of(Map.of("log.retention.hours", "1", "log.segment.bytes", "2000000"));
        Map<String, ConfigDescriber.Described> d = byName(
                new ConfigDescriber(broker).topic(Map.of("segment.bytes", "3000000", "cleanup.policy", "compact")));
        ConfigDescriber.Described retention = d.get("retention.ms");
        assertEquals("3600000", retention.value());
        assertEquals(ConfigResources.STATIC_BROKER_CONFIG, retention.source());
        assertFalse(retention.isDefault());
        ConfigDescriber.Described segment = d.get("segment.bytes");
        assertEquals("3000000", segment.value());
        assertEquals(ConfigResources.DYNAMIC_TOPIC_CONFIG, segment.source());
        assertEquals(
                List.of(
                        new ConfigDescriber.Synonym("segment.bytes", "3000000", ConfigResources.DYNAMIC_TOPIC_CONFIG),
                        new ConfigDescriber.Synonym(
                                "log.segment.bytes", "2000000", ConfigResources.STATIC_BROKER_CONFIG),
                        new ConfigDescriber.Synonym("log.segment.bytes", "1073741824", ConfigResources.DEFAULT_CONFIG)),
                segment.synonyms());
        assertEquals("compact", d.get("cleanup.policy").value());
    }

    @Test
    void brokerDescribesItsSettingsReadOnly() {
        BrokerConfig broker = BrokerConfig.of(Map.of("num.partitions", "3"));
        Map<String, ConfigDescriber.Described> d = byName(new ConfigDescriber(broker).broker());
        assertEquals("3", d.get("num.partitions").value());
        assertEquals(
                ConfigResources.STATIC_BROKER_CONFIG, d.get("num.partitions").source());
        assertEquals("1073741824", d.get("log.segment.bytes").value());
        assertEquals(ConfigResources.DEFAULT_CONFIG, d.get("log.segment.bytes").source());
        assertTrue(d.values().stream().allMatch(ConfigDescriber.Described::readOnly));
    }

    @Test
    void producerExpiryAndTimestampBoundsAreDescribedWithKafkasDefaults() {
        BrokerConfig broker = BrokerConfig.of(Map.of("producer.id.expiration.ms", "5000"));
        Map<String, ConfigDescriber.Described> d = byName(new ConfigDescriber(broker).broker());
        assertEquals("5000", d.get("producer.id.expiration.ms").value());
        assertEquals(
                ConfigResources.STATIC_BROKER_CONFIG,
                d.get("producer.id.expiration.ms").source());
        assertEquals("600000", d.get("producer.id.expiration.check.interval.ms").value());
        assertEquals(
                ConfigResources.DEFAULT_CONFIG,
                d.get("producer.id.expiration.check.interval.ms").source());
        assertEquals(
                Long.toString(Long.MAX_VALUE),
                d.get("log.message.timestamp.before.max.ms").value());
        assertEquals("3600000", d.get("log.message.timestamp.after.max.ms").value());
    }
}
