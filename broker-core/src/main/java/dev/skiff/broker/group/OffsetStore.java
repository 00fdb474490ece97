package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.internal.records.GroupMetadataValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets and group metadata of every group, in memory for reads and in the compacted internal topic
 * {@code __consumer_offsets} for durability. Every change is written first and then applied by replaying the
 * records written, through the same {@link #apply} that loads the topic at start, so memory never holds what
 * the log does not. A broker that has none yet creates the topic on the first write, not at start: creating
 * its partitions' files was most of an empty broker's start-up time.
 */
public final class OffsetStore implements OffsetBackend, ConsumerGroupStore {

    public static final String TOPIC = "__consumer_offsets";
    /** Kafka's offset.metadata.max.bytes default. */
    static final int DEFAULT_METADATA_MAX_BYTES = 4096;

    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);

    private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new ConcurrentHashMap<>();
    /** The last metadata written of each group not deleted: what a restart finds. */
    private final Map<String, GroupMetadataValueData> groupMetadata = new ConcurrentHashMap<>();
    /** KIP-848 consumer groups as their records say (members, epochs, assignments). */
    private final Map<String, ConsumerGroupState> consumerGroups = new ConcurrentHashMap<>();
    /** Writes of one group are serialised so that memory applies them in the order the log holds them. */
    private final Object[] locks = new Object[64];

    private final InternalTopicLog storage;
    private final TopicManager topics;
    private final int metadataMaxBytes;

    public OffsetStore(TopicManager topics, BrokerConfig config) {
        this.topics = topics;
        this.storage = new InternalTopicLog(topics, TOPIC, config.offsetsTopicPartitions, config.messageMaxBytes);
        this.metadataMaxBytes = intSetting(config, "offset.metadata.max.bytes", DEFAULT_METADATA_MAX_BYTES);
        for (int i = 0; i < locks.length; i++) locks[i] = new Object();
        int[] loaded = {0};
        storage.replay((key, value) -> {
            if (apply(key, value)) loaded[0]++;
        });
        if (loaded[0] > 0)
            log.info(
                    "Loaded {} record(s): offsets of {} group(s), metadata of {} group(s)",
                    loaded[0],
                    groups.size(),
                    groupMetadata.size());
    }

    // ---------------------------------------------------------------- loading and unloading one partition

    /** The partition of {@code __consumer_offsets} that holds a group's records. */
    public int partitionOf(String group) {
        return storage.partitionOf(group);
    }

    /**
     * Replays one partition of {@code __consumer_offsets}, as the constructor replays all: what a broker does
     * when it becomes the leader of that partition (the coordinator of its groups). Returns the groups loaded.
     */
    public Set<String> loadPartition(int partition) {
        Set<String> loaded = new java.util.HashSet<>();
        storage.replay(partition, (key, value) -> {
            if (apply(key, value)) {
                GroupRecords.Decoded d = GroupRecords.decode(key, null);
                if (d instanceof GroupRecords.Offset o) loaded.add(o.group());
                else if (d instanceof GroupRecords.Group g) loaded.add(g.group());
                else if (d instanceof ConsumerGroupRecords.Decoded c) loaded.add(c.group());
            }
        });
        log.info("Loaded {}-{}: {} group(s)", TOPIC, partition, loaded.size());
        return loaded;
    }

    /** Forgets the offsets and metadata of every group of one partition: its leadership moved away. */
    public void unloadPartition(int partition) {
        groups.keySet().removeIf(g -> partitionOf(g) == partition);
        groupMetadata.keySet().removeIf(g -> partitionOf(g) == partition);
        consumerGroups.keySet().removeIf(g -> partitionOf(g) == partition);
    }

    // ---------------------------------------------------------------- checks before anything is written

    /** A group id every record can hold: INVALID_GROUP_ID otherwise, as Kafka answers an unusable id. */
    public static void checkGroupId(String group) {
        if (group == null || group.isEmpty()) throw new ApiException(Errors.INVALID_GROUP_ID, "empty group id");
        if (!InternalTopicLog.fits(group))
            throw new ApiException(
                    Errors.INVALID_GROUP_ID, "group id longer than " + InternalTopicLog.MAX_STRING_BYTES + " bytes");
    }

    /** OFFSET_METADATA_TOO_LARGE for metadata longer than offset.metadata.max.bytes or than a record holds. */
    public Errors metadataError(String metadata) {
        if (metadata == null) return Errors.NONE;
        // Kafka compares the string's length with offset.metadata.max.bytes
        return metadata.length() > metadataMaxBytes || !InternalTopicLog.fits(metadata)
                ? Errors.OFFSET_METADATA_TOO_LARGE
                : Errors.NONE;
    }

    // ---------------------------------------------------------------- writes: append, then apply

    /** Stores offsets durably, then makes them visible; an ApiException with Kafka's error when it cannot. */
    @Override
    public void commit(String group, Map<TopicPartition, CommittedOffset> offsets) {
        checkGroupId(group);
        if (offsets.isEmpty()) return;
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        offsets.forEach((tp, o) -> {
            if (metadataError(o.metadata()) != Errors.NONE)
                throw new ApiException(Errors.OFFSET_METADATA_TOO_LARGE, "metadata of " + tp + " is too large");
            if (!InternalTopicLog.fits(tp.topic()))
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no such topic");
            entries.add(new InternalTopicLog.Entry(GroupRecords.offsetKey(group, tp), GroupRecords.offsetValue(o)));
        });
        write(group, entries, Errors.INVALID_COMMIT_OFFSET_SIZE);
    }

    /** Stores a group's metadata durably (on each completed rebalance), then applies it. */
    void storeGroup(String group, GroupMetadataValueData value) {
        write(
                group,
                List.of(new InternalTopicLog.Entry(GroupRecords.groupKey(group), GroupRecords.groupValue(value))),
                Errors.UNKNOWN_SERVER_ERROR);
    }

    /** Deletes a group: tombstones for its metadata and every committed offset, in one batch. */
    public void deleteGroup(String group) {
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        groups.getOrDefault(group, Map.of())
                .keySet()
                .forEach(tp -> entries.add(new InternalTopicLog.Entry(GroupRecords.offsetKey(group, tp), null)));
        entries.add(new InternalTopicLog.Entry(GroupRecords.groupKey(group), null));
        write(group, entries, Errors.UNKNOWN_SERVER_ERROR);
    }

    /** Deletes offsets (OffsetDelete, DeleteGroups, expiry) with tombstones. */
    public void delete(String group, Set<TopicPartition> partitions) {
        Map<TopicPartition, CommittedOffset> g = groups.get(group);
        if (g == null || partitions.isEmpty()) return;
        write(
                group,
                partitions.stream()
                        .map(tp -> new InternalTopicLog.Entry(GroupRecords.offsetKey(group, tp), null))
                        .toList(),
                Errors.UNKNOWN_SERVER_ERROR);
    }

    /** Appends, then replays what was appended; a failed append changes nothing and throws Kafka's error. */
    private void write(String group, List<InternalTopicLog.Entry> entries, Errors whenTooLarge) {
        synchronized (locks[(group.hashCode() & 0x7fffffff) % locks.length]) {
            try {
                storage.append(group, entries);
            } catch (ApiException e) {
                log.warn("Writing to {} for group {} failed: {}", TOPIC, group, e.getMessage());
                throw InternalTopicLog.coordinatorError(e, whenTooLarge);
            }
            for (InternalTopicLog.Entry e : entries) apply(e.key(), e.value());
        }
    }

    /** Applies one record, written now or found at start; true for a record Skiff keeps. */
    boolean apply(byte[] key, byte[] value) {
        GroupRecords.Decoded d = GroupRecords.decode(key, value);
        if (d instanceof GroupRecords.Offset o) {
            if (o.value() == null) {
                groups.computeIfPresent(o.group(), (g, offsets) -> {
                    offsets.remove(o.tp());
                    return offsets.isEmpty() ? null : offsets; // a deleted group is not listed after a restart
                });
            } else {
                groups.computeIfAbsent(o.group(), x -> new ConcurrentHashMap<>())
                        .put(o.tp(), o.value());
            }
            return true;
        }
        if (d instanceof ConsumerGroupRecords.Decoded c) {
            ConsumerGroupState state = consumerGroups.computeIfAbsent(c.group(), ConsumerGroupState::new);
            if (!state.apply(c)) consumerGroups.remove(c.group(), state);
            return true;
        }
        if (d instanceof GroupRecords.Group g) {
            if (g.value() == null) groupMetadata.remove(g.group());
            else groupMetadata.put(g.group(), g.value());
            return true;
        }
        return false;
    }

    /** Writes a consumer group's records in one batch, then applies them; Kafka's error when it cannot. */
    @Override
    public void write(String group, List<InternalTopicLog.Entry> entries) {
        write(group, entries, Errors.UNKNOWN_SERVER_ERROR);
    }

    /** The topics consumer groups' subscriptions resolve against. */
    TopicCatalog topicCatalog() {
        return TopicCatalog.of(topics);
    }

    @Override
    public ConsumerGroupState consumerGroup(String group) {
        return consumerGroups.get(group);
    }

    @Override
    public Set<String> consumerGroupIds() {
        return Set.copyOf(consumerGroups.keySet());
    }

    // ---------------------------------------------------------------- reads

    /** Group metadata as last written (found at start, or stored since), for the coordinator to take over. */
    Map<String, GroupMetadataValueData> groupMetadata() {
        return Map.copyOf(groupMetadata);
    }

    @Override
    public CommittedOffset fetch(String group, TopicPartition tp) {
        Map<TopicPartition, CommittedOffset> g = groups.get(group);
        return g == null ? null : g.get(tp);
    }

    /** All offsets of a group (empty when unknown). */
    public Map<TopicPartition, CommittedOffset> fetchAll(String group) {
        Map<TopicPartition, CommittedOffset> g = groups.get(group);
        return g == null ? Map.of() : Map.copyOf(g);
    }

    public Set<String> groupsWithOffsets() {
        return Set.copyOf(groups.keySet());
    }

    private static int intSetting(BrokerConfig config, String key, int fallback) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
