package dev.skiff.broker.groupconfig;

import dev.skiff.broker.admin.AdminException;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka 4.1's group configs (its GroupConfig): the keys a GROUP config resource takes, their types, the broker
 * settings their defaults come from, and Kafka's checks, with Kafka's messages: an unknown name, a value that does
 * not parse or is below the key's floor, and a value outside the broker's {@code group.*.min/max.*} bounds are
 * INVALID_CONFIG.
 */
public final class GroupConfigDef {

    public static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    public static final String SHARE_SESSION_TIMEOUT_MS = "share.session.timeout.ms";
    public static final String SHARE_HEARTBEAT_INTERVAL_MS = "share.heartbeat.interval.ms";
    public static final String SHARE_RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    public static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String SHARE_ISOLATION_LEVEL = "share.isolation.level";
    public static final String STREAMS_SESSION_TIMEOUT_MS = "streams.session.timeout.ms";
    public static final String STREAMS_HEARTBEAT_INTERVAL_MS = "streams.heartbeat.interval.ms";
    public static final String STREAMS_NUM_STANDBY_REPLICAS = "streams.num.standby.replicas";

    /** DescribeConfigs' config_type ids. */
    public static final byte TYPE_STRING = 2, TYPE_INT = 3;

    /**
     * One key: its type, the smallest value it takes (ints), Kafka's built-in default (what validation fills in
     * for keys not set, as Kafka's does) and the broker setting that gives the default a group starts with.
     */
    public record Key(String name, byte type, int atLeast, String builtIn, String brokerKey) {
        /** The value a group without this key set uses: the broker setting, else the built-in default. */
        public String defaultFor(BrokerConfig broker) {
            String v = brokerKey == null ? null : broker.get(brokerKey);
            return v == null || v.isBlank() ? builtIn : v.trim();
        }
    }

    /** In Kafka's definition order, which is also the order its checks run in. */
    private static final List<Key> DEFINED = List.of(
            new Key(CONSUMER_SESSION_TIMEOUT_MS, TYPE_INT, 1, "45000", "group.consumer.session.timeout.ms"),
            new Key(CONSUMER_HEARTBEAT_INTERVAL_MS, TYPE_INT, 1, "5000", "group.consumer.heartbeat.interval.ms"),
            new Key(SHARE_SESSION_TIMEOUT_MS, TYPE_INT, 1, "45000", "group.share.session.timeout.ms"),
            new Key(SHARE_HEARTBEAT_INTERVAL_MS, TYPE_INT, 1, "5000", "group.share.heartbeat.interval.ms"),
            new Key(SHARE_RECORD_LOCK_DURATION_MS, TYPE_INT, 1000, "30000", "group.share.record.lock.duration.ms"),
            new Key(SHARE_AUTO_OFFSET_RESET, TYPE_STRING, 0, "latest", "share.auto.offset.reset"),
            new Key(SHARE_ISOLATION_LEVEL, TYPE_STRING, 0, "read_uncommitted", null),
            new Key(STREAMS_SESSION_TIMEOUT_MS, TYPE_INT, 1, "45000", "group.streams.session.timeout.ms"),
            new Key(STREAMS_HEARTBEAT_INTERVAL_MS, TYPE_INT, 1, "5000", "group.streams.heartbeat.interval.ms"),
            new Key(STREAMS_NUM_STANDBY_REPLICAS, TYPE_INT, 0, "0", "group.streams.num.standby.replicas"));

    /** The order Kafka 4.1.1's DescribeConfigs lists them in. */
    public static final List<String> DESCRIBE_ORDER = List.of(
            CONSUMER_SESSION_TIMEOUT_MS,
            STREAMS_HEARTBEAT_INTERVAL_MS,
            SHARE_AUTO_OFFSET_RESET,
            SHARE_RECORD_LOCK_DURATION_MS,
            CONSUMER_HEARTBEAT_INTERVAL_MS,
            SHARE_SESSION_TIMEOUT_MS,
            SHARE_ISOLATION_LEVEL,
            STREAMS_SESSION_TIMEOUT_MS,
            SHARE_HEARTBEAT_INTERVAL_MS,
            STREAMS_NUM_STANDBY_REPLICAS);

    private static final Map<String, Key> BY_NAME = new LinkedHashMap<>();

    static {
        for (Key k : DEFINED) BY_NAME.put(k.name(), k);
    }

    private GroupConfigDef() {}

    /** The key of that name, or null. */
    public static Key get(String name) {
        return name == null ? null : BY_NAME.get(name);
    }

    /**
     * Checks a group's whole set of configs as Kafka's GroupConfig.validate does: names, then each value (keys not
     * set take Kafka's built-in default here, as in Kafka), then the broker's bounds, then that each session
     * timeout exceeds its heartbeat interval. Throws INVALID_CONFIG on the first problem.
     */
    public static void validate(Map<String, String> configs, BrokerConfig broker) {
        for (String name : configs.keySet())
            if (!BY_NAME.containsKey(name))
                throw new AdminException(Errors.INVALID_CONFIG, "Unknown group config name: " + name);
        Map<String, Integer> ints = new LinkedHashMap<>();
        for (Key k : DEFINED) {
            String raw = configs.get(k.name());
            String v = (raw == null ? k.builtIn() : raw).trim();
            if (k.type() == TYPE_INT) {
                int n;
                try {
                    n = Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw invalid(v, k.name(), "Not a number of type INT");
                }
                if (n < k.atLeast()) throw invalid(v, k.name(), "Value must be at least " + k.atLeast());
                ints.put(k.name(), n);
            } else if (k.name().equals(SHARE_ISOLATION_LEVEL)) {
                if (!v.equals("read_committed") && !v.equals("read_uncommitted"))
                    throw invalid(v, k.name(), "String must be one of: read_committed, read_uncommitted");
            } else if (autoOffsetResetDuration(v) == null && !v.equals("earliest") && !v.equals("latest")) {
                throw invalid(
                        v,
                        k.name(),
                        "Invalid value `" + v + "` for configuration " + k.name()
                                + ". The value must be either 'earliest', 'latest' or of the format"
                                + " 'by_duration:<PnDTnHnMn.nS>'.");
            }
        }
        bounds(
                ints,
                CONSUMER_HEARTBEAT_INTERVAL_MS,
                broker,
                "group.consumer.min.heartbeat.interval.ms",
                5000,
                "group.consumer.max.heartbeat.interval.ms",
                15000);
        bounds(
                ints,
                CONSUMER_SESSION_TIMEOUT_MS,
                broker,
                "group.consumer.min.session.timeout.ms",
                45000,
                "group.consumer.max.session.timeout.ms",
                60000);
        bounds(
                ints,
                SHARE_HEARTBEAT_INTERVAL_MS,
                broker,
                "group.share.min.heartbeat.interval.ms",
                5000,
                "group.share.max.heartbeat.interval.ms",
                15000);
        bounds(
                ints,
                SHARE_SESSION_TIMEOUT_MS,
                broker,
                "group.share.min.session.timeout.ms",
                45000,
                "group.share.max.session.timeout.ms",
                60000);
        bounds(
                ints,
                SHARE_RECORD_LOCK_DURATION_MS,
                broker,
                "group.share.min.record.lock.duration.ms",
                15000,
                "group.share.max.record.lock.duration.ms",
                60000);
        bounds(
                ints,
                STREAMS_HEARTBEAT_INTERVAL_MS,
                broker,
                "group.streams.min.heartbeat.interval.ms",
                5000,
                "group.streams.max.heartbeat.interval.ms",
                15000);
        bounds(
                ints,
                STREAMS_SESSION_TIMEOUT_MS,
                broker,
                "group.streams.min.session.timeout.ms",
                45000,
                "group.streams.max.session.timeout.ms",
                60000);
        if (ints.get(STREAMS_NUM_STANDBY_REPLICAS) > intSetting(broker, "group.streams.max.standby.replicas", 2))
            throw new AdminException(
                    Errors.INVALID_CONFIG,
                    STREAMS_NUM_STANDBY_REPLICAS + " must be less than or equal to group.streams.max.standby.replicas");
        greater(ints, CONSUMER_SESSION_TIMEOUT_MS, CONSUMER_HEARTBEAT_INTERVAL_MS);
        greater(ints, SHARE_SESSION_TIMEOUT_MS, SHARE_HEARTBEAT_INTERVAL_MS);
        greater(ints, STREAMS_SESSION_TIMEOUT_MS, STREAMS_HEARTBEAT_INTERVAL_MS);
    }

    /**
     * The values as Kafka keeps them once {@link #validate} passed: strings trimmed, ints in their plain decimal
     * form.
     */
    public static Map<String, String> normalized(Map<String, String> configs) {
        Map<String, String> out = new LinkedHashMap<>();
        configs.forEach((name, v) -> {
            Key k = BY_NAME.get(name);
            String t = v.trim();
            out.put(name, k != null && k.type() == TYPE_INT ? Integer.toString(Integer.parseInt(t)) : t);
        });
        return out;
    }

    /**
     * The look-back of a {@code by_duration:<ISO-8601 duration>} reset (not negative), or null when the value is
     * not of that form.
     */
    public static Duration autoOffsetResetDuration(String value) {
        String prefix = "by_duration:";
        if (value == null || !value.startsWith(prefix)) return null;
        try {
            Duration d = Duration.parse(value.substring(prefix.length()));
            return d.isNegative() ? null : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** An int broker setting, or {@code fallback} when it is unset or not a number. */
    public static int intSetting(BrokerConfig broker, String key, int fallback) {
        String v = broker.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void bounds(
            Map<String, Integer> ints,
            String name,
            BrokerConfig broker,
            String minKey,
            int min,
            String maxKey,
            int max) {
        int v = ints.get(name);
        if (v < intSetting(broker, minKey, min))
            throw new AdminException(Errors.INVALID_CONFIG, name + " must be greater than or equal to " + minKey);
        if (v > intSetting(broker, maxKey, max))
            throw new AdminException(Errors.INVALID_CONFIG, name + " must be less than or equal to " + maxKey);
    }

    private static void greater(Map<String, Integer> ints, String session, String heartbeat) {
        if (ints.get(session) <= ints.get(heartbeat))
            throw new AdminException(Errors.INVALID_CONFIG, session + " must be greater than " + heartbeat);
    }

    private static AdminException invalid(String value, String name, String why) {
        return new AdminException(
                Errors.INVALID_CONFIG, "Invalid value " + value + " for configuration " + name + ": " + why);
    }
}
