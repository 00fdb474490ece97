package dev.skiff.broker.group;

import dev.skiff.broker.TopicPartition;
import java.util.Map;

/**
 * Where version 0 of OffsetCommit/OffsetFetch keeps offsets when not in the broker's own store: Kafka 0.8
 * kept them in ZooKeeper, and the ZooKeeper bridge plugs in here so v0 clients and 0.8 high-level consumers
 * see the same offsets.
 */
public interface OffsetBackend {

    void commit(String group, Map<TopicPartition, CommittedOffset> offsets);

    /** The committed offset, or null when there is none. */
    CommittedOffset fetch(String group, TopicPartition tp);
}
