package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets of every group, in memory for reads and in the compacted internal topic
 * {@code __consumer_offsets} for durability: each commit is appended before it is acknowledged, and the
 * topic is replayed at start. A broker that has none yet creates it on the first write, not at start: creating
 * its partitions' files was most of an empty broker's start-up time.
 */
public final class OffsetStore implements OffsetBackend {

    public static final String TOPIC = "__consumer_offsets";
    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);

    private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new ConcurrentHashMap<>();
    /** Group metadata found at start (the last record of each group that was not deleted). */
    private final Map<String, GroupMetadataRecords.Value> loadedGroups = new ConcurrentHashMap<>();
    private final InternalTopicLog storage;

    public OffsetStore(TopicManager topics, BrokerConfig config) {
        this.storage = new InternalTopicLog(topics, TOPIC, config.offsetsTopicPartitions);
        replay();
    }

    /** Loads what an existing topic holds. */
    private void replay() {
        int[] loaded = {0};
        storage.replay((key, value) -> {
            if (GroupMetadataRecords.isGroupKey(key)) {
                loadGroup(key, value);
                return;
            }
            OffsetRecords.Key k = OffsetRecords.readKey(ByteBuffer.wrap(key));
            if (k == null) return;
            if (value == null) {
                Map<TopicPartition, CommittedOffset> g = groups.get(k.group());
                if (g != null) {
                    g.remove(k.tp());
                    if (g.isEmpty()) groups.remove(k.group()); // a deleted group is not listed after a restart
                }
            } else {
                groups.computeIfAbsent(k.group(), x -> new ConcurrentHashMap<>())
                        .put(k.tp(), OffsetRecords.readValue(ByteBuffer.wrap(value)));
                loaded[0]++;
            }
        });
        if (loaded[0] > 0) log.info("Loaded {} committed offset(s) of {} group(s)", loaded[0], groups.size());
    }

    private void loadGroup(byte[] key, byte[] value) {
        String group = GroupMetadataRecords.readKey(key);
        if (value == null) {
            loadedGroups.remove(group);
            return;
        }
        try {
            loadedGroups.put(group, GroupMetadataRecords.readValue(value));
        } catch (RuntimeException e) {
            log.warn("Ignoring unreadable metadata of group {}: {}", group, e.toString());
        }
    }

    /** Group metadata replayed at start, for the coordinator to take over. */
    Map<String, GroupMetadataRecords.Value> loadedGroups() { return Map.copyOf(loadedGroups); }

    /** Stores a group's metadata durably (on each completed rebalance). */
    void storeGroup(String group, GroupMetadataRecords.Value value) {
        storage.append(group, List.of(
                new InternalTopicLog.Entry(GroupMetadataRecords.key(group), GroupMetadataRecords.value(value))));
    }

    /** Deletes a group: tombstones for its metadata and every committed offset, in one batch. */
    public void deleteGroup(String group) {
        Map<TopicPartition, CommittedOffset> g = groups.getOrDefault(group, Map.of());
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        g.keySet().forEach(tp -> entries.add(new InternalTopicLog.Entry(OffsetRecords.key(group, tp), null)));
        entries.add(new InternalTopicLog.Entry(GroupMetadataRecords.key(group), null));
        storage.append(group, entries);
        groups.remove(group);
    }

    /** Stores offsets durably, then makes them visible. */
    @Override
    public void commit(String group, Map<TopicPartition, CommittedOffset> offsets) {
        if (offsets.isEmpty()) return;
        storage.append(group, offsets.entrySet().stream()
                .map(e -> new InternalTopicLog.Entry(OffsetRecords.key(group, e.getKey()), OffsetRecords.value(e.getValue())))
                .toList());
        groups.computeIfAbsent(group, x -> new ConcurrentHashMap<>()).putAll(offsets);
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

    /** Deletes offsets (OffsetDelete, DeleteGroups) with tombstones. */
    public void delete(String group, Set<TopicPartition> partitions) {
        Map<TopicPartition, CommittedOffset> g = groups.get(group);
        if (g == null || partitions.isEmpty()) return;
        storage.append(group, partitions.stream()
                .map(tp -> new InternalTopicLog.Entry(OffsetRecords.key(group, tp), null)).toList());
        partitions.forEach(g::remove);
        if (g.isEmpty()) groups.remove(group);
    }

    public Set<String> groupsWithOffsets() { return Set.copyOf(groups.keySet()); }
}
