package dev.skiff.broker.replica;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;

/**
 * The replica settings, with Kafka's key names and defaults: how long a follower may lag before it leaves
 * the ISR, and how followers fetch (sizes, long-poll wait, back-off after an error, socket time-out).
 * min.insync.replicas is a topic config (broker default min.insync.replicas), read per topic.
 */
public record ReplicaConfig(
        long lagTimeMaxMs,
        int fetchMaxBytes,
        int fetchResponseMaxBytes,
        int fetchWaitMaxMs,
        int fetchMinBytes,
        long fetchBackoffMs,
        int socketTimeoutMs,
        long highWatermarkCheckpointIntervalMs) {

    public static final String LAG_TIME_MAX_MS = "replica.lag.time.max.ms",
            FETCH_MAX_BYTES = "replica.fetch.max.bytes",
            FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes",
            FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms",
            FETCH_MIN_BYTES = "replica.fetch.min.bytes",
            FETCH_BACKOFF_MS = "replica.fetch.backoff.ms",
            SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms",
            HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = "replica.high.watermark.checkpoint.interval.ms";

    public static ReplicaConfig of(BrokerConfig config) {
        return new ReplicaConfig(
                number(config, LAG_TIME_MAX_MS, 30_000),
                (int) number(config, FETCH_MAX_BYTES, 1024 * 1024),
                (int) number(config, FETCH_RESPONSE_MAX_BYTES, 10 * 1024 * 1024),
                (int) number(config, FETCH_WAIT_MAX_MS, 500),
                (int) number(config, FETCH_MIN_BYTES, 1),
                number(config, FETCH_BACKOFF_MS, 1000),
                (int) number(config, SOCKET_TIMEOUT_MS, 30_000),
                number(config, HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, 5000));
    }

    private static long number(BrokerConfig config, String key, long dflt) {
        String v = config.get(key);
        if (v == null) return dflt;
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0
                    || (n > Integer.MAX_VALUE
                            && !key.equals(LAG_TIME_MAX_MS)
                            && !key.equals(FETCH_BACKOFF_MS)
                            && !key.equals(HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS))) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a non-negative number: " + v);
        }
    }
}
