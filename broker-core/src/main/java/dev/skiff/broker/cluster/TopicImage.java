package dev.skiff.broker.cluster;

import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.Map;

/** A topic as the controller keeps it: id, the configs set on it, and one registration per partition. */
public record TopicImage(String name, Uuid id, Map<String, String> configs, List<PartitionRegistration> partitions) {

    public TopicImage {
        configs = Map.copyOf(configs);
        partitions = List.copyOf(partitions);
    }

    public PartitionRegistration partition(int index) {
        return index >= 0 && index < partitions.size() ? partitions.get(index) : null;
    }
}
