package dev.skiff.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Topic-level configs with Kafka's names. A topic keeps only what was set on it; everything else falls back
 * to the broker's defaults, which is also how DescribeConfigs reports the source of each value.
 */
public final class TopicConfig {

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";

    /** Keys Skiff understands and enforces. */
    public static final Set<String> KNOWN = Set.of(
            CLEANUP_POLICY,
            RETENTION_MS,
            RETENTION_BYTES,
            SEGMENT_BYTES,
            SEGMENT_MS,
            MAX_MESSAGE_BYTES,
            MESSAGE_TIMESTAMP_TYPE,
            MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
            MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            DELETE_RETENTION_MS,
            MIN_INSYNC_REPLICAS,
            FLUSH_MESSAGES,
            FLUSH_MS);

    private TopicConfig() {}

    /** The broker-wide default of every topic config Kafka 4.x has, in Kafka's form (see {@link TopicConfigDef}). */
    public static Map<String, String> defaults(BrokerConfig broker) {
        Map<String, String> d = new LinkedHashMap<>();
        for (TopicConfigDef def : TopicConfigDef.ALL.values()) d.put(def.name(), def.defaultFor(broker));
        return d;
    }

    /**
     * Checks one value against Kafka's rules for that config; returns an error message or null when valid.
     * Every Kafka topic config is accepted (and stored), not only those Skiff enforces.
     */
    public static String validate(String key, String value) {
        TopicConfigDef def = TopicConfigDef.get(key);
        if (def == null) return "Unknown topic config name: " + key;
        return value == null ? null : def.validate(value);
    }
}
