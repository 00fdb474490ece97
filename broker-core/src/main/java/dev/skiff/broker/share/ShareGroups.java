package dev.skiff.broker.share;

import dev.skiff.broker.Partitions;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.config.BrokerConfig;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share groups (KIP-932) as the broker holds them: membership ({@link ShareGroupCoordinator}), share partitions
 * and sessions ({@link SharePartitionManager}), and their durable state ({@link ShareStateLog}), loaded at start.
 */
public final class ShareGroups {

    private static final Logger log = LoggerFactory.getLogger(ShareGroups.class);

    private final ShareConfig config;
    private final ShareStateLog state;
    private final SharePartitionManager partitions;
    private final ShareGroupCoordinator coordinator;
    private final Predicate<String> otherGroupExists;

    public ShareGroups(
            BrokerConfig brokerConfig,
            TopicManager topics,
            Partitions data,
            Predicate<String> otherGroupExists,
            LongSupplier clock,
            GroupConfigs groupConfigs) {
        this.config = ShareConfig.of(brokerConfig);
        this.otherGroupExists = otherGroupExists;
        this.state = new ShareStateLog(topics, brokerConfig, config);
        this.partitions = new SharePartitionManager(config, topics, data, state, groupConfigs, clock);
        this.coordinator =
                new ShareGroupCoordinator(config, topics, otherGroupExists, partitions::memberGone, groupConfigs);
        state.load();
        for (String g : partitions.groupsWithState()) coordinator.remember(g);
    }

    /** Expires members, locks and idle sessions once a second. */
    public void schedule(ScheduledExecutorService timer, LongSupplier clock) {
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        coordinator.expireMembers(clock.getAsLong());
                        partitions.expire();
                        partitions.dropIdleSessions(coordinator::isMember);
                    } catch (RuntimeException e) {
                        log.warn("Share group upkeep failed: {}", e.toString());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
    }

    /** Whether {@code groupId} is a consumer group (classic or KIP-848), so no share group may have it. */
    public boolean isOtherGroup(String groupId) {
        return otherGroupExists.test(groupId);
    }

    /** Deletes an empty share group and its share-partition state; GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP otherwise. */
    public void delete(String groupId) {
        coordinator.delete(groupId);
        for (SharePartitionKey k : partitions.keysOf(groupId)) partitions.deleteState(k);
    }

    public ShareConfig config() {
        return config;
    }

    public ShareGroupCoordinator coordinator() {
        return coordinator;
    }

    public SharePartitionManager partitions() {
        return partitions;
    }
}
