package dev.skiff.broker.metrics;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.replica.ReplicaManager;
import dev.skiff.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The figures that are read rather than counted: partitions and their logs, under-replicated partitions, groups
 * and their lag. Each call looks at the broker's state as it is now, so nothing on the data path pays for them.
 */
public final class BrokerGauges {

    /** One partition's log: Kafka's kafka.log:type=Log figures. */
    public record PartitionLog(
            String topic, int partition, long size, long logStartOffset, long logEndOffset, int segments) {}

    /** A group's committed offset on one partition and how far behind the partition's end it is. */
    public record GroupLag(String group, String topic, int partition, long committed, long logEndOffset, long lag) {}

    private final TopicManager topics;
    private final OffsetStore offsets;
    private final GroupCoordinator groups;
    private final Supplier<ReplicaManager> replicas;

    public BrokerGauges(
            TopicManager topics, OffsetStore offsets, GroupCoordinator groups, Supplier<ReplicaManager> replicas) {
        this.topics = topics;
        this.offsets = offsets;
        this.groups = groups;
        this.replicas = replicas;
    }

    public List<PartitionLog> partitionLogs() {
        List<PartitionLog> out = new ArrayList<>();
        for (Topic t : sortedTopics()) {
            for (Partition p : t.partitions()) {
                PartitionLog l = logOf(t, p);
                if (l != null) out.add(l); // null: closing under us, left out of this reading
            }
        }
        return out;
    }

    /** Every partition, by topic name: what the per-partition figures are registered under. */
    public List<TopicPartition> partitionIds() {
        List<TopicPartition> out = new ArrayList<>();
        for (Topic t : sortedTopics()) for (Partition p : t.partitions()) out.add(p.id());
        return out;
    }

    /** One partition's log figures, null when there is no such partition (or it is closing). */
    public PartitionLog partitionLog(String topic, int partition) {
        Topic t = topics.get(topic);
        Partition p = t == null ? null : t.partition(partition);
        return p == null ? null : logOf(t, p);
    }

    private static PartitionLog logOf(Topic t, Partition p) {
        try {
            Log log = p.logIfMade();
            if (log == null) // a new partition's log, made on first use: empty, one segment to be
            return new PartitionLog(t.name(), p.index(), 0, 0, 0, 1);
            return new PartitionLog(
                    t.name(),
                    p.index(),
                    log.sizeInBytes(),
                    p.logStartOffset(),
                    log.logEndOffset(),
                    log.segmentBaseOffsets().size());
        } catch (RuntimeException e) {
            return null; // a partition closing under us (topic deleted)
        }
    }

    public int partitionCount() {
        int n = 0;
        for (Topic t : topics.all()) n += t.partitions().size();
        return n;
    }

    /** Partitions this broker leads whose in-sync replicas are fewer than their replicas (0 for a single broker). */
    public int underReplicatedPartitions() {
        ReplicaManager rm = replicas.get();
        MetadataImage image = rm == null ? null : rm.image();
        if (image == null) return 0;
        int n = 0;
        for (var topic : image.topics().values()) {
            for (PartitionRegistration p : topic.partitions()) {
                if (p.leader() == rm.brokerId() && p.isr().size() < p.replicas().size()) n++;
            }
        }
        return n;
    }

    public int groupCount() {
        return groups.list().size();
    }

    /** Every group's lag on every partition it has committed an offset for, sorted by group, topic, partition. */
    public List<GroupLag> lag() {
        List<GroupLag> out = new ArrayList<>();
        List<String> ids = new ArrayList<>(offsets.groupsWithOffsets());
        ids.sort(null);
        for (String group : ids) out.addAll(lag(group));
        return out;
    }

    /** One group's lag per partition it has committed an offset for. */
    public List<GroupLag> lag(String group) {
        List<GroupLag> out = new ArrayList<>();
        List<Map.Entry<TopicPartition, CommittedOffset>> committed =
                new ArrayList<>(offsets.fetchAll(group).entrySet());
        committed.sort(Map.Entry.comparingByKey(
                java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)));
        for (Map.Entry<TopicPartition, CommittedOffset> e : committed) {
            Partition p = topics.partition(e.getKey().topic(), e.getKey().partition());
            if (p == null) continue;
            long end = p.highWatermark();
            long at = e.getValue().offset();
            out.add(new GroupLag(group, p.topic(), p.index(), at, end, Math.max(0, end - at)));
        }
        return out;
    }

    private List<Topic> sortedTopics() {
        List<Topic> all = new ArrayList<>(topics.all());
        all.sort(java.util.Comparator.comparing(Topic::name));
        return all;
    }
}
