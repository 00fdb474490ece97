package dev.skiff.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The broker's settings, read from Kafka's key names. Unknown keys are kept (and ignored) so a Kafka
 * server.properties works as it is; known keys are typed and validated here, once, at start.
 */
public final class BrokerConfig {

    private final Map<String, String> values;

    public final int nodeId;
    public final String host;
    public final int port;
    public final String advertisedHost;
    public final int advertisedPort;
    public final Path dataDir;
    public final String clusterId;
    public final boolean autoCreateTopics;
    public final int numPartitions;
    public final int socketRequestMaxBytes;
    /** SO_SNDBUF / SO_RCVBUF of client connections; -1 leaves them to the OS, which sizes them to the traffic. */
    public final int socketSendBufferBytes;

    public final int socketReceiveBufferBytes;
    public final int messageMaxBytes;
    public final int segmentBytes;
    public final long segmentMs;
    public final long retentionMs;
    public final long retentionBytes;
    public final long retentionCheckIntervalMs;
    public final int indexIntervalBytes;
    public final long flushIntervalMessages;
    public final long flushIntervalMs;
    /** log.flush.scheduler.interval.ms: the longest wait between two checks of the flusher (unset: 1 s). */
    public final long flushSchedulerIntervalMs;

    public final boolean fsyncOnAcksAll;
    public final int offsetsTopicPartitions;
    public final long groupInitialRebalanceDelayMs;
    public final int groupMinSessionTimeoutMs;
    public final int groupMaxSessionTimeoutMs;
    public final long offsetsRetentionMs;
    public final int maxConnectionsPerIp;
    public final int maxInFlightRequestsPerConnection;
    public final long transactionTimeoutMaxMs;
    public final long connectionsMaxIdleMs;
    public final long requestReadTimeoutMs;
    /** Kafka's producer.id.expiration.ms: a producer silent this long loses its sequence state. */
    public final long producerIdExpirationMs;

    public final long producerIdExpirationCheckIntervalMs;
    /** Segment and index files the logs keep open together; -1: a quarter of the process's descriptor limit, 64-4096. */
    public final int logOpenFilesMax;
    /** New topics one Metadata request may auto-create; those past it answer THROTTLING_QUOTA_EXCEEDED. */
    public final int autoCreateTopicsPerRequestMax;
    /** Partitions the broker may hold for auto-creation to go on; past it auto-creation answers POLICY_VIOLATION. */
    public final int autoCreatePartitionsMax;
    /** Every listener (Kafka's listeners, advertised.listeners, listener.security.protocol.map). */
    public final Listeners listeners;
    /** Kafka's connections.max.reauth.ms: a SASL session lasts this long before the client must re-authenticate; 0: for ever. */
    public final long connectionsMaxReauthMs;
    /** Kafka's max.incremental.fetch.session.cache.slots: fetch sessions kept at once; 0 turns sessions off. */
    public final int fetchSessionCacheSlots;
    /** Kafka's min.incremental.fetch.session.eviction.ms: how long a session is safe from a newcomer. */
    public final long fetchSessionEvictionMs;
    /** The estimated heap all fetch sessions may hold together (Skiff's own cap, beside Kafka's slots). */
    public final long fetchSessionCacheMaxBytes;

    private BrokerConfig(Map<String, String> v) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(v));
        Reader r = new Reader(v);
        nodeId = r.intValue(0, "node.id", "broker.id");
        Listener listener = Listener.parse(r.string(null, "listeners"));
        host = r.string(listener != null ? listener.host() : "127.0.0.1", "host.name");
        port = r.intValue(listener != null ? listener.port() : 9092, "port");
        Listener advertised = Listener.parse(r.string(null, "advertised.listeners"));
        advertisedHost = r.string(advertised != null ? advertised.host() : host, "advertised.host.name");
        advertisedPort = r.intValue(advertised != null ? advertised.port() : -1, "advertised.port");
        dataDir = Path.of(firstDir(r.string("./skiff-data", "log.dirs", "log.dir")));
        clusterId = r.string("skiff-cluster-0000000000", "cluster.id");
        autoCreateTopics = r.bool(true, "auto.create.topics.enable");
        numPartitions = r.positiveInt(1, "num.partitions");
        socketRequestMaxBytes = r.positiveInt(100 * 1024 * 1024, "socket.request.max.bytes");
        socketSendBufferBytes = r.intValue(-1, "socket.send.buffer.bytes");
        socketReceiveBufferBytes = r.intValue(-1, "socket.receive.buffer.bytes");
        messageMaxBytes = r.positiveInt(1024 * 1024 + 12, "message.max.bytes");
        segmentBytes = r.positiveInt(1 << 30, "log.segment.bytes");
        segmentMs = r.millis(7L * 24 * 3600 * 1000, "log.roll.ms", "log.roll.hours");
        retentionMs =
                r.millis(7L * 24 * 3600 * 1000, "log.retention.ms", "log.retention.minutes", "log.retention.hours");
        retentionBytes = r.longValue(-1, "log.retention.bytes");
        retentionCheckIntervalMs = r.longValue(5 * 60 * 1000, "log.retention.check.interval.ms");
        indexIntervalBytes = r.positiveInt(4096, "log.index.interval.bytes");
        flushIntervalMessages = r.longValue(Long.MAX_VALUE, "log.flush.interval.messages");
        flushIntervalMs = r.longValue(Long.MAX_VALUE, "log.flush.interval.ms");
        flushSchedulerIntervalMs = r.longValue(Long.MAX_VALUE, "log.flush.scheduler.interval.ms");
        fsyncOnAcksAll = r.bool(false, "skiff.fsync.on.acks.all");
        offsetsTopicPartitions = r.positiveInt(1, "offsets.topic.num.partitions");
        groupInitialRebalanceDelayMs = r.longValue(0, "group.initial.rebalance.delay.ms");
        groupMinSessionTimeoutMs = r.positiveInt(6000, "group.min.session.timeout.ms");
        groupMaxSessionTimeoutMs = r.positiveInt(1800000, "group.max.session.timeout.ms");
        offsetsRetentionMs = r.millis(7L * 24 * 3600 * 1000, "offsets.retention.minutes"); // Kafka: 10080 minutes
        maxConnectionsPerIp = r.positiveInt(Integer.MAX_VALUE, "max.connections.per.ip");
        maxInFlightRequestsPerConnection = r.positiveInt(1000, "skiff.max.inflight.requests.per.connection");
        transactionTimeoutMaxMs = r.longValue(900000, "transaction.max.timeout.ms");
        // Kafka's idle limit; -1 turns it off
        connectionsMaxIdleMs = r.longValue(600000, "connections.max.idle.ms");
        // how long one request may take to arrive once its first byte is in (slow-loris guard); -1 turns it off
        requestReadTimeoutMs = r.longValue(30000, "skiff.request.read.timeout.ms");
        producerIdExpirationMs = r.longValue(86_400_000L, "producer.id.expiration.ms");
        producerIdExpirationCheckIntervalMs = r.longValue(600_000L, "producer.id.expiration.check.interval.ms");
        logOpenFilesMax = r.intValue(-1, "skiff.log.open.files.max");
        if (logOpenFilesMax == 0 || logOpenFilesMax < -1)
            throw new ConfigException(
                    "skiff.log.open.files.max must be positive, or -1 for the default: " + logOpenFilesMax);
        autoCreateTopicsPerRequestMax = r.positiveInt(100, "skiff.auto.create.topics.per.request.max");
        autoCreatePartitionsMax = r.positiveInt(10000, "skiff.auto.create.partitions.max");
        if (port < 0 || port > 65535) throw new ConfigException("port must be 0-65535: " + port);
        listeners = Listeners.parse(v, host, port);
        connectionsMaxReauthMs = r.longValue(0, "connections.max.reauth.ms");
        fetchSessionCacheSlots = r.intValue(1000, "max.incremental.fetch.session.cache.slots");
        fetchSessionEvictionMs = r.longValue(120_000, "min.incremental.fetch.session.eviction.ms");
        fetchSessionCacheMaxBytes = r.longValue(64L * 1024 * 1024, "skiff.fetch.session.cache.max.bytes");
        if (fetchSessionCacheSlots < 0 || fetchSessionEvictionMs < 0 || fetchSessionCacheMaxBytes < 0)
            throw new ConfigException("fetch session cache settings must not be negative");
    }

    public static BrokerConfig defaults() {
        return of(Map.of());
    }

    public static BrokerConfig of(Map<String, String> values) {
        return new BrokerConfig(values);
    }

    public static BrokerConfig of(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return of(m);
    }

    /** This config with some keys replaced. */
    public BrokerConfig with(Map<String, String> overrides) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.putAll(overrides);
        return of(m);
    }

    public BrokerConfig with(String key, String value) {
        return with(Map.of(key, value));
    }

    /** Every key given, including ones Skiff does not use. */
    public Map<String, String> values() {
        return values;
    }

    public String get(String key) {
        return values.get(key);
    }

    /** The port clients are told to connect to: advertised.port, else the bound port. */
    public int advertisedPort(int boundPort) {
        return advertisedPort > 0 ? advertisedPort : boundPort;
    }

    /** A key as {@code listener} sees it: {@code listener.name.<listener>.<key>} if given, else {@code key}. */
    public String listenerValue(String listener, String key) {
        String own = values.get("listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + "." + key);
        if (own != null && !own.isBlank()) return own.trim();
        String common = values.get(key);
        return common == null || common.isBlank() ? null : common.trim();
    }

    /** sasl.enabled.mechanisms of a listener (its override first); empty when not set: every mechanism offered. */
    public java.util.List<String> saslEnabledMechanisms(String listener) {
        String s = listenerValue(listener, "sasl.enabled.mechanisms");
        java.util.List<String> out = new java.util.ArrayList<>();
        if (s != null) {
            for (String m : s.split(",")) if (!m.isBlank()) out.add(m.trim().toUpperCase(java.util.Locale.ROOT));
        }
        return java.util.List.copyOf(out);
    }

    private static String firstDir(String dirs) {
        return dirs.split(",")[0].trim();
    }

    /** {@code PLAINTEXT://host:port} (the first listener; Skiff serves one plaintext listener). */
    record Listener(String host, int port) {
        static Listener parse(String listeners) {
            if (listeners == null || listeners.isBlank()) return null;
            String first = listeners.split(",")[0].trim();
            int scheme = first.indexOf("://");
            String hostPort = scheme >= 0 ? first.substring(scheme + 3) : first;
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw new ConfigException("listener needs host:port: " + first);
            String h = hostPort.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
            if (h.isEmpty()) h = "0.0.0.0";
            try {
                return new Listener(h, Integer.parseInt(hostPort.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new ConfigException("bad port in listener " + first);
            }
        }
    }

    /** Typed reads; the first key present wins, and *.hours / *.minutes keys are scaled to millis. */
    private record Reader(Map<String, String> v) {
        String string(String def, String... keys) {
            for (String k : keys) {
                String s = v.get(k);
                if (s != null && !s.isBlank()) return s.trim();
            }
            return def;
        }

        long longValue(long def, String... keys) {
            String s = string(null, keys);
            if (s == null) return def;
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ConfigException(keyOf(keys) + " must be a number: " + s);
            }
        }

        int intValue(int def, String... keys) {
            long l = longValue(def, keys);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)
                throw new ConfigException(keyOf(keys) + " out of range: " + l);
            return (int) l;
        }

        int positiveInt(int def, String... keys) {
            int i = intValue(def, keys);
            if (i <= 0) throw new ConfigException(keyOf(keys) + " must be positive: " + i);
            return i;
        }

        boolean bool(boolean def, String... keys) {
            String s = string(null, keys);
            if (s == null) return def;
            if (s.equalsIgnoreCase("true")) return true;
            if (s.equalsIgnoreCase("false")) return false;
            throw new ConfigException(keyOf(keys) + " must be true or false: " + s);
        }

        long millis(long def, String... keys) {
            for (String k : keys) {
                String s = v.get(k);
                if (s == null || s.isBlank()) continue;
                long n = longValue(0, k);
                if (n < 0) return -1;
                if (k.endsWith(".hours")) return n * 3600_000L;
                if (k.endsWith(".minutes")) return n * 60_000L;
                return n;
            }
            return def;
        }

        private String keyOf(String... keys) {
            return keys[0];
        }
    }
}
