package dev.skiff.broker.cluster;

import java.util.List;
import java.util.Set;

/**
 * What the controller decided for one partition, as Kafka's PartitionRecord/PartitionChangeRecord keep it:
 * the assigned replicas (the first is the preferred leader), the in-sync replicas, the leader (-1 when none is
 * alive), the leader epoch (bumped on every leader change) and the partition epoch (bumped on every change, so
 * a stale AlterPartition is refused).
 */
public record PartitionRegistration(
        List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {

    public static final int NO_LEADER = -1;

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** A partition of one broker, led by it since creation: what a single broker has for every partition. */
    public static PartitionRegistration single(int brokerId) {
        return new PartitionRegistration(List.of(brokerId), List.of(brokerId), brokerId, 0, 0);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public int preferredLeader() {
        return replicas.isEmpty() ? NO_LEADER : replicas.get(0);
    }

    /** The assigned replicas on brokers that are not alive (Metadata's offline_replicas). */
    public List<Integer> offlineReplicas(Set<Integer> liveBrokers) {
        return replicas.stream().filter(r -> !liveBrokers.contains(r)).toList();
    }
}
