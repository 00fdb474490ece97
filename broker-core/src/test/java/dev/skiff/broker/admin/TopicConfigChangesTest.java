package dev.skiff.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected error codes are Apache Kafka 4.x's for the same requests (compare with the oracle harness). */
class TopicConfigChangesTest {

    private static final BrokerConfig BROKER = BrokerConfig.defaults();

    private static Errors errorOf(Runnable r) {
        return assertThrows(AdminException.class, r::run).error().error();
    }

    @Test
    void unknownConfigNameIsInvalidConfig() {
        assertEquals(Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("no.such.config", "1"))));
        // removed in Kafka 4.0
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.validate(Map.of("message.timestamp.difference.max.ms", "1"))));
    }

    @Test
    void badValuesAreInvalidConfig() {
        assertEquals(Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("retention.ms", "soon"))));
        assertEquals(Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("retention.ms", "-2"))));
        assertEquals(
                Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("cleanup.policy", "forever"))));
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.validate(Map.of("message.timestamp.type", "Now"))));
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.validate(Map.of("min.cleanable.dirty.ratio", "1.5"))));
        assertEquals(Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("preallocate", "maybe"))));
        // Kafka 4.0 (KIP-1030): segment.bytes is at least 1 MiB
        assertEquals(
                Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(Map.of("segment.bytes", "1000"))));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("retention.ms", null);
        assertEquals(Errors.INVALID_CONFIG, errorOf(() -> TopicConfigChanges.validate(nullValue)));
    }

    @Test
    void goodValuesPass() {
        TopicConfigChanges.validate(Map.of(
                "cleanup.policy",
                "compact,delete",
                "retention.ms",
                "-1",
                "segment.bytes",
                "1048576",
                "compression.type",
                "zstd",
                "min.cleanable.dirty.ratio",
                "0.1",
                "message.timestamp.type",
                "LogAppendTime",
                "unclean.leader.election.enable",
                "TRUE",
                "leader.replication.throttled.replicas",
                "*"));
    }

    @Test
    void incrementalSetDeleteAppendSubtract() {
        Map<String, String> current = Map.of("retention.ms", "1000", "segment.ms", "5000");
        Map<String, String> next = TopicConfigChanges.apply(
                current,
                List.of(
                        new TopicConfigChanges.Op("retention.ms", TopicConfigChanges.SET, "2000"),
                        new TopicConfigChanges.Op("segment.ms", TopicConfigChanges.DELETE, null),
                        new TopicConfigChanges.Op("cleanup.policy", TopicConfigChanges.APPEND, "compact")),
                BROKER);
        // APPEND starts from the value in force, the default "delete"
        assertEquals(Map.of("retention.ms", "2000", "cleanup.policy", "delete,compact"), next);
        Map<String, String> after = TopicConfigChanges.apply(
                next,
                List.of(new TopicConfigChanges.Op("cleanup.policy", TopicConfigChanges.SUBTRACT, "delete")),
                BROKER);
        assertEquals("compact", after.get("cleanup.policy"));
        Map<String, String> again = TopicConfigChanges.apply(
                after,
                List.of(new TopicConfigChanges.Op("cleanup.policy", TopicConfigChanges.APPEND, "compact")),
                BROKER);
        assertEquals("compact", again.get("cleanup.policy"), "appending a present item changes nothing");
    }

    @Test
    void incrementalErrorsMatchKafka() {
        Map<String, String> none = Map.of();
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.apply(
                        none,
                        List.of(new TopicConfigChanges.Op("retention.ms", TopicConfigChanges.APPEND, "1")),
                        BROKER)),
                "APPEND to a non-list");
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.apply(
                        none,
                        List.of(new TopicConfigChanges.Op("cleanup.policy", TopicConfigChanges.SUBTRACT, "delete")),
                        BROKER)),
                "an empty cleanup.policy");
        assertEquals(
                Errors.INVALID_CONFIG,
                errorOf(() -> TopicConfigChanges.apply(
                        none, List.of(new TopicConfigChanges.Op("bogus", TopicConfigChanges.SET, "1")), BROKER)));
        assertEquals(
                Errors.INVALID_REQUEST,
                errorOf(() -> TopicConfigChanges.apply(
                        none,
                        List.of(
                                new TopicConfigChanges.Op("retention.ms", TopicConfigChanges.SET, "1"),
                                new TopicConfigChanges.Op("retention.ms", TopicConfigChanges.DELETE, null)),
                        BROKER)),
                "duplicate keys");
        assertEquals(
                Errors.INVALID_REQUEST,
                errorOf(() -> TopicConfigChanges.apply(
                        none, List.of(new TopicConfigChanges.Op("retention.ms", (byte) 9, "1")), BROKER)),
                "unknown operation");
    }
}
