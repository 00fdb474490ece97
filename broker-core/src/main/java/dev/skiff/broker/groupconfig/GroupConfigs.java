package dev.skiff.broker.groupconfig;

import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.durable.AtomicFiles;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configs set on groups (Kafka's GROUP config resources) and the one place the coordinators read a group's
 * settings from: a key set on the group, else the broker's default for it.
 *
 * <p>Where they live follows topic configs: a single broker writes them to {@code <data dir>/.skiff/group-configs}
 * (rewritten whole, synced, renamed into place) before it applies them, so a failed write changes nothing; in a
 * cluster the controller keeps them as Kafka's ConfigRecords (resource type GROUP) in the metadata log and every
 * broker reads them from its image. A group once configured stays listed (ListConfigResources) with no keys left,
 * as in Kafka.
 */
public final class GroupConfigs {

    private static final Logger log = LoggerFactory.getLogger(GroupConfigs.class);

    /** Groups that may carry configs (skiff.group.configs.max.groups), so no client grows them without bound. */
    public static final String MAX_GROUPS_KEY = "skiff.group.configs.max.groups";

    public static final int DEFAULT_MAX_GROUPS = 10_000;

    private static final String HEADER = "# Skiff group configs v1: base64url(group) [key=base64url(value)]...";

    private final BrokerConfig broker;
    private final Controller controller;
    private final Path file;
    private final int maxGroups;
    /** The local table (single broker): group to its keys, sorted by group; replaced whole on each change. */
    private volatile Map<String, Map<String, String>> local = Map.of();

    private GroupConfigs(BrokerConfig broker, Controller controller, Path file) {
        this.broker = broker;
        this.controller = controller;
        this.file = file;
        this.maxGroups = Math.max(1, GroupConfigDef.intSetting(broker, MAX_GROUPS_KEY, DEFAULT_MAX_GROUPS));
        if (file != null) local = read(file);
    }

    /**
     * The group configs of a broker: in the controller's images when {@code controller} is not null, else on disk
     * under {@code <dataDir>/.skiff} when persistent, else in memory.
     */
    public static GroupConfigs forBroker(BrokerConfig broker, Controller controller, boolean persistent, Path dataDir) {
        if (controller != null) return new GroupConfigs(broker, controller, null);
        return new GroupConfigs(
                broker, null, persistent ? dataDir.resolve(".skiff").resolve("group-configs") : null);
    }

    public BrokerConfig brokerConfig() {
        return broker;
    }

    private Map<String, Map<String, String>> table() {
        return controller != null ? controller.image().groupConfigs() : local;
    }

    /** The keys set on {@code group} (empty when none). */
    public Map<String, String> configs(String group) {
        Map<String, String> m = group == null ? null : table().get(group);
        return m == null ? Map.of() : m;
    }

    /** The groups that carry (or carried) configs, sorted. */
    public List<String> groupIds() {
        return List.copyOf(new TreeMap<>(table()).keySet());
    }

    /**
     * Replaces the keys set on {@code group} with {@code next} (already validated): written first, then in force.
     * A group not configured before and beyond {@link #MAX_GROUPS_KEY} is POLICY_VIOLATION, a failed write
     * KAFKA_STORAGE_ERROR (for this resource only, as an {@link AdminException}).
     */
    public synchronized void replace(String group, Map<String, String> next) {
        Map<String, String> copy = Collections.unmodifiableMap(new TreeMap<>(next));
        Map<String, Map<String, String>> current = table();
        if (!current.containsKey(group) && current.size() >= maxGroups)
            throw new AdminException(
                    Errors.POLICY_VIOLATION,
                    "Skiff keeps configs for at most " + maxGroups + " groups (" + MAX_GROUPS_KEY + ")");
        if (controller != null) {
            try {
                controller.alterGroupConfigs(group, copy);
            } catch (ApiException e) { // this resource fails, not the whole request
                throw new AdminException(e.error(), e.getMessage());
            }
            return;
        }
        Map<String, Map<String, String>> table = new TreeMap<>(current);
        table.put(group, copy);
        Map<String, Map<String, String>> frozen = Collections.unmodifiableMap(table);
        if (file != null) {
            try {
                write(file, frozen);
            } catch (UncheckedIOException e) {
                throw new AdminException(Errors.KAFKA_STORAGE_ERROR, "Cannot write group configs: " + e.getMessage());
            }
        }
        local = frozen;
    }

    /** The value in force of {@code key} for {@code group}: set on the group, else the broker's default. */
    public String value(String group, String key) {
        String v = configs(group).get(key);
        if (v != null) return v.trim();
        GroupConfigDef.Key k = GroupConfigDef.get(key);
        if (k == null) throw new IllegalArgumentException("not a group config: " + key);
        return k.defaultFor(broker);
    }

    private int intValue(String group, String key, int fallback) {
        try {
            return Integer.parseInt(value(group, key));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public int consumerSessionTimeoutMs(String group, int brokerValue) {
        return configs(group).containsKey(GroupConfigDef.CONSUMER_SESSION_TIMEOUT_MS)
                ? intValue(group, GroupConfigDef.CONSUMER_SESSION_TIMEOUT_MS, brokerValue)
                : brokerValue;
    }

    public int consumerHeartbeatIntervalMs(String group, int brokerValue) {
        return configs(group).containsKey(GroupConfigDef.CONSUMER_HEARTBEAT_INTERVAL_MS)
                ? intValue(group, GroupConfigDef.CONSUMER_HEARTBEAT_INTERVAL_MS, brokerValue)
                : brokerValue;
    }

    public int shareSessionTimeoutMs(String group, int brokerValue) {
        return configs(group).containsKey(GroupConfigDef.SHARE_SESSION_TIMEOUT_MS)
                ? intValue(group, GroupConfigDef.SHARE_SESSION_TIMEOUT_MS, brokerValue)
                : brokerValue;
    }

    public int shareHeartbeatIntervalMs(String group, int brokerValue) {
        return configs(group).containsKey(GroupConfigDef.SHARE_HEARTBEAT_INTERVAL_MS)
                ? intValue(group, GroupConfigDef.SHARE_HEARTBEAT_INTERVAL_MS, brokerValue)
                : brokerValue;
    }

    public int shareRecordLockDurationMs(String group, int brokerValue) {
        return configs(group).containsKey(GroupConfigDef.SHARE_RECORD_LOCK_DURATION_MS)
                ? intValue(group, GroupConfigDef.SHARE_RECORD_LOCK_DURATION_MS, brokerValue)
                : brokerValue;
    }

    /** share.auto.offset.reset in force: {@code earliest}, {@code latest} or {@code by_duration:<duration>}. */
    public String shareAutoOffsetReset(String group) {
        return value(group, GroupConfigDef.SHARE_AUTO_OFFSET_RESET).toLowerCase(java.util.Locale.ROOT);
    }

    /** The look-back of a by_duration reset in force for {@code group}, or null for earliest/latest. */
    public Duration shareAutoOffsetResetDuration(String group) {
        return GroupConfigDef.autoOffsetResetDuration(value(group, GroupConfigDef.SHARE_AUTO_OFFSET_RESET));
    }

    /** share.isolation.level is read_committed for {@code group}. */
    public boolean shareReadCommitted(String group) {
        return "read_committed".equals(value(group, GroupConfigDef.SHARE_ISOLATION_LEVEL));
    }

    // ---- the local file

    private static void write(Path file, Map<String, Map<String, String>> table) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        Base64.Encoder b64 = Base64.getUrlEncoder();
        table.forEach((group, keys) -> {
            sb.append(b64.encodeToString(group.getBytes(StandardCharsets.UTF_8)));
            keys.forEach((k, v) -> sb.append(' ')
                    .append(k)
                    .append('=')
                    .append(b64.encodeToString(v.getBytes(StandardCharsets.UTF_8))));
            sb.append('\n');
        });
        try {
            AtomicFiles.replace(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the file back; a line that does not decode is skipped with a warning. */
    private static Map<String, Map<String, String>> read(Path file) {
        if (!Files.exists(file)) return Map.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read group configs from " + file + ": " + e.getMessage(), e);
        }
        Map<String, Map<String, String>> table = new TreeMap<>();
        Base64.Decoder b64 = Base64.getUrlDecoder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                String[] f = line.split(" ");
                String group = new String(b64.decode(f[0]), StandardCharsets.UTF_8);
                Map<String, String> keys = new TreeMap<>();
                for (int j = 1; j < f.length; j++) {
                    int eq = f[j].indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("no '=' in " + f[j]);
                    String key = f[j].substring(0, eq);
                    if (GroupConfigDef.get(key) == null) throw new IllegalArgumentException("unknown key " + key);
                    keys.put(key, new String(b64.decode(f[j].substring(eq + 1)), StandardCharsets.UTF_8));
                }
                table.put(group, Collections.unmodifiableMap(keys));
            } catch (RuntimeException e) {
                log.warn("{} line {} skipped: {}", file, i + 1, e.toString());
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(table));
    }
}
