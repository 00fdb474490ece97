package dev.skiff.broker;

import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.Map;

/**
 * A topic: its id, its partitions (index = position), the configs set on it, and the produce rules those
 * configs imply (resolved once here, not parsed from strings on every produce request).
 */
public record Topic(
        String name,
        Uuid id,
        List<Partition> partitions,
        Map<String, String> configs,
        boolean internal,
        AppendRules appendRules) {

    /**
     * What a produce request must satisfy and how its batches are stamped, from the configs in force; the
     * timestamp bounds are message.timestamp.before.max.ms / after.max.ms (CreateTime only).
     */
    public record AppendRules(
            int maxMessageBytes,
            boolean logAppendTime,
            boolean compacted,
            long timestampBeforeMaxMs,
            long timestampAfterMaxMs) {}

    public Partition partition(int index) {
        return index >= 0 && index < partitions.size() ? partitions.get(index) : null;
    }
}
