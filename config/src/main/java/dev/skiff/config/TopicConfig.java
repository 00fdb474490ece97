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
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";

    /** Keys Skiff understands and enforces. */
    public static final Set<String> KNOWN = Set.of(CLEANUP_POLICY, RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES,
            SEGMENT_MS, MAX_MESSAGE_BYTES, MESSAGE_TIMESTAMP_TYPE, DELETE_RETENTION_MS, MIN_INSYNC_REPLICAS,
            FLUSH_MESSAGES, FLUSH_MS);

    private TopicConfig() {}

    /** The broker-wide default of every topic config, in Kafka's form. */
    public static Map<String, String> defaults(BrokerConfig broker) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(CLEANUP_POLICY, "delete");
        d.put(RETENTION_MS, Long.toString(broker.retentionMs));
        d.put(RETENTION_BYTES, Long.toString(broker.retentionBytes));
        d.put(SEGMENT_BYTES, Integer.toString(broker.segmentBytes));
        d.put(SEGMENT_MS, Long.toString(broker.segmentMs));
        d.put(MAX_MESSAGE_BYTES, Integer.toString(broker.messageMaxBytes));
        d.put(MESSAGE_TIMESTAMP_TYPE, "CreateTime");
        d.put(DELETE_RETENTION_MS, "86400000");
        d.put(MIN_INSYNC_REPLICAS, "1");
        d.put(FLUSH_MESSAGES, Long.toString(broker.flushIntervalMessages));
        d.put(FLUSH_MS, Long.toString(broker.flushIntervalMs));
        return d;
    }

    /** Checks one value; returns an error message or null when valid. */
    public static String validate(String key, String value) {
        if (!KNOWN.contains(key)) return "Unknown topic config name: " + key;
        if (value == null) return null;
        try {
            switch (key) {
                case CLEANUP_POLICY -> {
                    for (String p : value.split(",")) {
                        String t = p.trim();
                        if (!t.equals("delete") && !t.equals("compact")) return "Invalid cleanup.policy: " + value;
                    }
                }
                case MESSAGE_TIMESTAMP_TYPE -> {
                    if (!value.equals("CreateTime") && !value.equals("LogAppendTime"))
                        return "Invalid message.timestamp.type: " + value;
                }
                case SEGMENT_BYTES, MAX_MESSAGE_BYTES -> {
                    if (Integer.parseInt(value) < (key.equals(SEGMENT_BYTES) ? 14 : 0))
                        return "Invalid value " + value + " for " + key;
                }
                default -> Long.parseLong(value);
            }
        } catch (NumberFormatException e) {
            return "Invalid value " + value + " for configuration " + key + ": Not a number";
        }
        return null;
    }
}
