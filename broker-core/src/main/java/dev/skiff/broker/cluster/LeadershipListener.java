package dev.skiff.broker.cluster;

import dev.skiff.broker.TopicPartition;

/**
 * Told when this broker starts or stops leading a partition, after its log is ready for it: the group and
 * transaction coordinators load the state of an internal-topic partition they now lead, and drop it when the
 * leadership moves away.
 */
public interface LeadershipListener {

    void onBecomeLeader(TopicPartition partition, int leaderEpoch);

    void onResign(TopicPartition partition, int newLeaderEpoch);
}
