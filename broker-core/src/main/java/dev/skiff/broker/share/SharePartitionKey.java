package dev.skiff.broker.share;

import dev.skiff.protocol.types.Uuid;

/** One partition of one topic as a share group consumes it: the unit of share-partition state. */
public record SharePartitionKey(String groupId, Uuid topicId, int partition) {

    /** Kafka's share-coordinator key, "group:topicId:partition": where in __share_group_state the state lives. */
    public String coordinatorKey() {
        return groupId + ":" + topicId + ":" + partition;
    }
}
