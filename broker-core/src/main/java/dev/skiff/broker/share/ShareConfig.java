package dev.skiff.broker.share;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;

/**
 * The broker settings of share groups (KIP-932), under Kafka 4.1's names and defaults.
 *
 * @param recordLockDurationMs group.share.record.lock.duration.ms: how long an acquired record stays locked to
 *     its consumer before it becomes available again
 * @param deliveryCountLimit group.share.delivery.count.limit: deliveries after which a released or timed-out
 *     record is archived instead of redelivered
 * @param heartbeatIntervalMs group.share.heartbeat.interval.ms
 * @param sessionTimeoutMs group.share.session.timeout.ms: a member that stops heartbeating is removed after it
 * @param maxRecordLocks group.share.partition.max.record.locks: the in-flight window of a share partition
 * @param maxGroupSize group.share.max.size: members per share group
 * @param maxSessions group.share.max.share.sessions: share sessions this broker keeps
 * @param stateTopicPartitions share.coordinator.state.topic.num.partitions: partitions of __share_group_state (Kafka: 50;
 *     Skiff: 1, as for __transaction_state, since one broker leads them all)
 */
public record ShareConfig(
        int recordLockDurationMs,
        int deliveryCountLimit,
        int heartbeatIntervalMs,
        int sessionTimeoutMs,
        int maxRecordLocks,
        int maxGroupSize,
        int maxSessions,
        int stateTopicPartitions) {

    public static final ShareConfig DEFAULT = new ShareConfig(30_000, 5, 5_000, 45_000, 2_000, 200, 2_000, 1);

    public static ShareConfig of(BrokerConfig config) {
        return new ShareConfig(
                positive(config, "group.share.record.lock.duration.ms", DEFAULT.recordLockDurationMs),
                positive(config, "group.share.delivery.count.limit", DEFAULT.deliveryCountLimit),
                positive(config, "group.share.heartbeat.interval.ms", DEFAULT.heartbeatIntervalMs),
                positive(config, "group.share.session.timeout.ms", DEFAULT.sessionTimeoutMs),
                positive(config, "group.share.partition.max.record.locks", DEFAULT.maxRecordLocks),
                positive(config, "group.share.max.size", DEFAULT.maxGroupSize),
                positive(config, "group.share.max.share.sessions", DEFAULT.maxSessions),
                positive(config, "share.coordinator.state.topic.num.partitions", DEFAULT.stateTopicPartitions));
    }

    private static int positive(BrokerConfig config, String key, int fallback) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException(key + " must be a positive integer, got " + v);
    }
}
