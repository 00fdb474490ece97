package dev.skiff.broker.admin;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfig;
import dev.skiff.config.TopicConfigDef;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and applies topic config changes the way Kafka 4.x does: unknown names and bad values are
 * INVALID_CONFIG, a malformed request (duplicate keys, unknown operation) is INVALID_REQUEST.
 */
public final class TopicConfigChanges {

    /** IncrementalAlterConfigs operations (AlterConfigOp.OpType ids). */
    public static final byte SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

    /** One requested change: a name, an operation, a value (null for DELETE). */
    public record Op(String name, byte op, String value) {}

    private TopicConfigChanges() {}

    /** Collects name/value pairs, refusing a name given twice. */
    public static Map<String, String> collect(List<Map.Entry<String, String>> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : pairs) {
            if (out.containsKey(e.getKey()))
                throw new AdminException(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + e.getKey());
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Validates a complete set of topic configs (CreateTopics, AlterConfigs); throws on the first bad one. */
    public static void validate(Map<String, String> configs) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null && TopicConfigDef.get(e.getKey()) != null)
                throw new AdminException(
                        Errors.INVALID_CONFIG, "Null value not supported for topic configs: " + e.getKey());
            String problem = TopicConfig.validate(e.getKey(), e.getValue());
            if (problem != null) throw new AdminException(Errors.INVALID_CONFIG, problem);
        }
    }

    /**
     * Applies incremental operations to the configs set on a topic and returns the new set, validated. APPEND and
     * SUBTRACT work on list configs only and start from the value in force (the default when none is set).
     */
    public static Map<String, String> apply(Map<String, String> current, List<Op> ops, BrokerConfig broker) {
        Set<String> seen = new HashSet<>();
        for (Op op : ops) {
            if (!seen.add(op.name()))
                throw new AdminException(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + op.name());
        }
        Map<String, String> next = new LinkedHashMap<>(current);
        for (Op op : ops) {
            TopicConfigDef def = TopicConfigDef.get(op.name());
            if (def == null) throw new AdminException(Errors.INVALID_CONFIG, "Unknown topic config name: " + op.name());
            switch (op.op()) {
                case SET -> {
                    if (op.value() == null)
                        throw new AdminException(Errors.INVALID_REQUEST, "Null value not supported for : " + op.name());
                    next.put(op.name(), op.value());
                }
                case DELETE -> next.remove(op.name());
                case APPEND, SUBTRACT -> {
                    if (def.type() != TopicConfigDef.Type.LIST)
                        throw new AdminException(
                                Errors.INVALID_CONFIG,
                                "Can't " + (op.op() == APPEND ? "APPEND" : "SUBTRACT") + " to key " + op.name()
                                        + " because its type is not LIST.");
                    String base = next.containsKey(op.name()) ? next.get(op.name()) : def.defaultFor(broker);
                    List<String> items = new ArrayList<>(TopicConfigDef.listItems(base));
                    for (String item : TopicConfigDef.listItems(op.value())) {
                        if (op.op() == APPEND) {
                            if (!items.contains(item)) items.add(item);
                        } else {
                            items.remove(item);
                        }
                    }
                    next.put(op.name(), String.join(",", items));
                }
                default ->
                    throw new AdminException(Errors.INVALID_REQUEST, "Unknown alter configs operation " + op.op());
            }
        }
        Map<String, String> changed = new LinkedHashMap<>();
        for (String name : seen) if (next.containsKey(name)) changed.put(name, next.get(name));
        validate(changed);
        return next;
    }
}
