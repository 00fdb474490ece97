package dev.skiff.broker.share;

import dev.skiff.config.BrokerConfig;

/**
 * The group configs of share groups Skiff reads: {@code share.auto.offset.reset} (latest, Kafka's default, or
 * earliest), where a share partition starts when it has no state. Kafka sets it per group with
 * IncrementalAlterConfigs on a GROUP resource; Skiff takes the broker property of the same name as the default
 * of every group.
 */
public final class ShareGroupConfigs {

    private final String autoOffsetReset;

    public ShareGroupConfigs(BrokerConfig config) {
        String v = config.get("share.auto.offset.reset");
        this.autoOffsetReset = v == null || v.isBlank() ? "latest" : v.trim().toLowerCase(java.util.Locale.ROOT);
    }

    public String autoOffsetReset(String groupId) {
        return autoOffsetReset;
    }
}
