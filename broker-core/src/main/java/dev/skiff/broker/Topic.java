package dev.skiff.broker;

import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.Map;

/** A topic: its id, its partitions (index = position) and the configs set on it. */
public record Topic(String name, Uuid id, List<Partition> partitions, Map<String, String> configs, boolean internal) {

    public Partition partition(int index) {
        return index >= 0 && index < partitions.size() ? partitions.get(index) : null;
    }
}
