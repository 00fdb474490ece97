package dev.skiff.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One topic config as Apache Kafka 4.x defines it: its type, its default, the broker keys that set that default
 * (its synonyms, most specific first) and its rule for valid values. {@link #ALL} lists every topic config a
 * Kafka 4.x broker accepts; Skiff stores and describes them all and enforces those in {@link TopicConfig#KNOWN}.
 */
public record TopicConfigDef(String name, Type type, String kafkaDefault, List<String> brokerSynonyms, Rule rule) {

    /** Config types with the ids DescribeConfigs v3+ reports. */
    public enum Type {
        BOOLEAN(1),
        STRING(2),
        INT(3),
        SHORT(4),
        LONG(5),
        DOUBLE(6),
        LIST(7);

        public final byte id;

        Type(int id) {
            this.id = (byte) id;
        }
    }

    /** Checks a value already known to parse as the type; returns an error message or null. */
    @FunctionalInterface
    public interface Rule {
        String check(String name, String value);
    }

    /** Every topic config of Kafka 4.x, in Kafka's alphabetical order. */
    public static final Map<String, TopicConfigDef> ALL = catalogue();

    /** The definition of a config, or null when Kafka has no topic config of that name. */
    public static TopicConfigDef get(String name) {
        return ALL.get(name);
    }

    /**
     * The value a topic gets when nothing is set on it: the first broker synonym given in the broker's
     * properties (scaled from hours or minutes to millis), else Kafka's default.
     */
    public String defaultFor(BrokerConfig broker) {
        for (String key : brokerSynonyms) {
            String v = broker.get(key);
            if (v == null || v.isBlank()) continue;
            return scaled(key, v.trim());
        }
        return kafkaDefault;
    }

    /** The broker key whose value {@link #defaultFor} used, or null when it is Kafka's default. */
    public String brokerKeyFor(BrokerConfig broker) {
        for (String key : brokerSynonyms) {
            String v = broker.get(key);
            if (v != null && !v.isBlank()) return key;
        }
        return null;
    }

    /** Checks a value: its type, then its rule. Returns an error message in Kafka's words, or null when valid. */
    public String validate(String value) {
        if (value == null) return "Null value not supported for topic configs: " + name;
        String v = value.trim();
        try {
            switch (type) {
                case INT -> Integer.parseInt(v);
                case SHORT -> Short.parseShort(v);
                case LONG -> Long.parseLong(v);
                case DOUBLE -> Double.parseDouble(v);
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false"))
                        return "Invalid value " + value + " for configuration " + name
                                + ": Expected value to be either true or false";
                }
                default -> {}
            }
        } catch (NumberFormatException e) {
            return "Invalid value " + value + " for configuration " + name + ": Not a number of type " + type;
        }
        return rule.check(name, v);
    }

    /** Splits a list value the way Kafka does: on commas, trimmed, empty entries dropped. */
    public static List<String> listItems(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        for (String s : value.split(",")) {
            String t = s.trim();
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }

    private static String scaled(String key, String v) {
        if (!key.endsWith(".hours") && !key.endsWith(".minutes")) return v;
        try {
            long n = Long.parseLong(v);
            if (n < 0) return "-1"; // a negative retention in hours or minutes means "unlimited", as in millis
            return Long.toString(n * (key.endsWith(".hours") ? 3_600_000L : 60_000L));
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static String any(String n, String v) {
        return null;
    }

    private static Rule atLeast(long min) {
        return (n, v) -> Double.parseDouble(v) >= min
                ? null
                : "Invalid value " + v + " for configuration " + n + ": Value must be at least " + min;
    }

    private static Rule between(double min, double max) {
        return (n, v) -> {
            double d = Double.parseDouble(v);
            return d >= min && d <= max
                    ? null
                    : "Invalid value " + v + " for configuration " + n + ": Value must be no more than " + max;
        };
    }

    private static Rule oneOf(boolean caseSensitive, String... allowed) {
        return (n, v) -> {
            for (String a : allowed) if (caseSensitive ? a.equals(v) : a.equalsIgnoreCase(v)) return null;
            return "Invalid value " + v + " for configuration " + n + ": String must be one of: "
                    + String.join(", ", allowed);
        };
    }

    private static Rule listOf(String... allowed) {
        Set<String> ok = Set.of(allowed);
        return (n, v) -> {
            List<String> items = listItems(v);
            if (items.isEmpty()) return "Invalid value " + v + " for configuration " + n + ": empty list";
            for (String item : items) {
                if (!ok.contains(item.toLowerCase(Locale.ROOT)))
                    return "Invalid value " + item + " for configuration " + n + ": String must be one of: "
                            + String.join(", ", allowed);
            }
            return null;
        };
    }

    /** Throttled replica lists: empty, {@code *}, or {@code partition:broker} pairs. */
    private static String replicaList(String n, String v) {
        List<String> items = listItems(v);
        if (items.size() == 1 && items.get(0).equals("*")) return null;
        for (String item : items) {
            if (!item.matches("[0-9]+:[0-9]+"))
                return "Invalid value " + v + " for configuration " + n
                        + ": must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
        }
        return null;
    }

    private static Map<String, TopicConfigDef> catalogue() {
        String max = Long.toString(Long.MAX_VALUE);
        Map<String, TopicConfigDef> m = new LinkedHashMap<>();
        add(m, "cleanup.policy", Type.LIST, "delete", List.of("log.cleanup.policy"), listOf("compact", "delete"));
        add(m, "compression.gzip.level", Type.INT, "-1", List.of("compression.gzip.level"), (n, v) -> {
            int i = Integer.parseInt(v);
            return i == -1 || (i >= 1 && i <= 9)
                    ? null
                    : "Invalid value " + v + " for configuration " + n
                            + ": Value must be between 1 and 9 or equal to -1";
        });
        add(m, "compression.lz4.level", Type.INT, "9", List.of("compression.lz4.level"), between(1, 17));
        add(
                m,
                "compression.type",
                Type.STRING,
                "producer",
                List.of("compression.type"),
                oneOf(false, "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"));
        add(m, "compression.zstd.level", Type.INT, "3", List.of("compression.zstd.level"), between(-131072, 22));
        add(m, "delete.retention.ms", Type.LONG, "86400000", List.of("log.cleaner.delete.retention.ms"), atLeast(0));
        add(m, "file.delete.delay.ms", Type.LONG, "60000", List.of("log.segment.delete.delay.ms"), atLeast(0));
        add(m, "flush.messages", Type.LONG, max, List.of("log.flush.interval.messages"), atLeast(1));
        add(
                m,
                "flush.ms",
                Type.LONG,
                max,
                List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms"),
                atLeast(0));
        add(m, "follower.replication.throttled.replicas", Type.LIST, "", List.of(), TopicConfigDef::replicaList);
        add(m, "index.interval.bytes", Type.INT, "4096", List.of("log.index.interval.bytes"), atLeast(0));
        add(m, "leader.replication.throttled.replicas", Type.LIST, "", List.of(), TopicConfigDef::replicaList);
        add(m, "local.retention.bytes", Type.LONG, "-2", List.of("log.local.retention.bytes"), atLeast(-2));
        add(m, "local.retention.ms", Type.LONG, "-2", List.of("log.local.retention.ms"), atLeast(-2));
        add(m, "max.compaction.lag.ms", Type.LONG, max, List.of("log.cleaner.max.compaction.lag.ms"), atLeast(1));
        add(m, "max.message.bytes", Type.INT, "1048588", List.of("message.max.bytes"), atLeast(0));
        add(
                m,
                "message.timestamp.after.max.ms",
                Type.LONG,
                "3600000",
                List.of("log.message.timestamp.after.max.ms"),
                atLeast(0));
        add(
                m,
                "message.timestamp.before.max.ms",
                Type.LONG,
                max,
                List.of("log.message.timestamp.before.max.ms"),
                atLeast(0));
        add(
                m,
                "message.timestamp.type",
                Type.STRING,
                "CreateTime",
                List.of("log.message.timestamp.type"),
                oneOf(true, "CreateTime", "LogAppendTime"));
        add(
                m,
                "min.cleanable.dirty.ratio",
                Type.DOUBLE,
                "0.5",
                List.of("log.cleaner.min.cleanable.ratio"),
                between(0, 1));
        add(m, "min.compaction.lag.ms", Type.LONG, "0", List.of("log.cleaner.min.compaction.lag.ms"), atLeast(0));
        add(m, "min.insync.replicas", Type.INT, "1", List.of("min.insync.replicas"), atLeast(1));
        add(m, "preallocate", Type.BOOLEAN, "false", List.of("log.preallocate"), TopicConfigDef::any);
        add(m, "remote.log.copy.disable", Type.BOOLEAN, "false", List.of(), TopicConfigDef::any);
        add(m, "remote.log.delete.on.disable", Type.BOOLEAN, "false", List.of(), TopicConfigDef::any);
        add(m, "remote.storage.enable", Type.BOOLEAN, "false", List.of(), TopicConfigDef::any);
        add(m, "retention.bytes", Type.LONG, "-1", List.of("log.retention.bytes"), TopicConfigDef::any);
        add(
                m,
                "retention.ms",
                Type.LONG,
                "604800000",
                List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"),
                atLeast(-1));
        // Kafka 4.0 raised the minimum from 14 bytes to 1 MiB (KIP-1030); the broker-wide log.segment.bytes
        // is not held to it here, which is how tests get small segments.
        add(m, "segment.bytes", Type.INT, "1073741824", List.of("log.segment.bytes"), atLeast(1024 * 1024));
        add(m, "segment.index.bytes", Type.INT, "10485760", List.of("log.index.size.max.bytes"), atLeast(4));
        add(m, "segment.jitter.ms", Type.LONG, "0", List.of("log.roll.jitter.ms", "log.roll.jitter.hours"), atLeast(0));
        add(m, "segment.ms", Type.LONG, "604800000", List.of("log.roll.ms", "log.roll.hours"), atLeast(1));
        add(
                m,
                "unclean.leader.election.enable",
                Type.BOOLEAN,
                "false",
                List.of("unclean.leader.election.enable"),
                TopicConfigDef::any);
        return Collections.unmodifiableMap(m);
    }

    private static void add(
            Map<String, TopicConfigDef> m, String name, Type type, String def, List<String> synonyms, Rule rule) {
        m.put(name, new TopicConfigDef(name, type, def, synonyms, rule));
    }
}
