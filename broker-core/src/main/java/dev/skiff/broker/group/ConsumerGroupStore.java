package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import java.util.List;
import java.util.Set;

/**
 * Where consumer groups' records go: written first, then applied to the group's {@link ConsumerGroupState}
 * through the same apply that replays {@code __consumer_offsets} at start. {@link OffsetStore} is the real one.
 */
interface ConsumerGroupStore {

    /** Appends the records in one batch and applies them; throws ApiException (nothing applied) when it cannot. */
    void write(String group, List<InternalTopicLog.Entry> entries);

    /** The group as its records say, or null when it has none. */
    ConsumerGroupState consumerGroup(String group);

    Set<String> consumerGroupIds();

    int partitionOf(String group);
}
