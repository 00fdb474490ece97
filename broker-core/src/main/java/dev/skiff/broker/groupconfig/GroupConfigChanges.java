package dev.skiff.broker.groupconfig;

import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.admin.ConfigDescriber;
import dev.skiff.broker.admin.ConfigResources;
import dev.skiff.broker.admin.TopicConfigChanges;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the config APIs do with a GROUP resource, with Kafka 4.1.1's answers: IncrementalAlterConfigs
 * (SET and DELETE; APPEND and SUBTRACT are INVALID_CONFIG as no group config is a list), the legacy AlterConfigs
 * (the whole set replaced) and DescribeConfigs (every key with the value in force). Any group id but the empty
 * one is accepted, as in Kafka: a group need not exist to be configured.
 */
public final class GroupConfigChanges {

    private GroupConfigChanges() {}

    /** IncrementalAlterConfigs of one group: checks every change, then (unless validating) writes the new set. */
    public static void incremental(
            GroupConfigs groups, String group, List<TopicConfigChanges.Op> ops, boolean validateOnly) {
        requireAlterable(group);
        Set<String> seen = new HashSet<>();
        for (TopicConfigChanges.Op op : ops)
            if (!seen.add(op.name()))
                throw new AdminException(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + op.name());
        synchronized (groups) {
            Map<String, String> next = new LinkedHashMap<>(groups.configs(group));
            for (TopicConfigChanges.Op op : ops) {
                switch (op.op()) {
                    case TopicConfigChanges.SET -> {
                        if (op.value() == null)
                            throw new AdminException(
                                    Errors.INVALID_REQUEST, "Null value not supported for : " + op.name());
                        next.put(op.name(), op.value());
                    }
                    case TopicConfigChanges.DELETE -> next.remove(op.name());
                    case TopicConfigChanges.APPEND, TopicConfigChanges.SUBTRACT -> {
                        if (GroupConfigDef.get(op.name()) == null)
                            throw new AdminException(Errors.INVALID_CONFIG, "Unknown group config name: " + op.name());
                        throw new AdminException(
                                Errors.INVALID_CONFIG,
                                "Can't " + (op.op() == TopicConfigChanges.APPEND ? "APPEND" : "SUBTRACT") + " to key "
                                        + op.name() + " because its type is not LIST.");
                    }
                    // Kafka 4.1.1 fails an unknown operation on a group with an unexpected error
                    default ->
                        throw new AdminException(
                                Errors.UNKNOWN_SERVER_ERROR, "Unknown alter configs operation " + op.op());
                }
            }
            GroupConfigDef.validate(next, groups.brokerConfig());
            if (!validateOnly) groups.replace(group, GroupConfigDef.normalized(next));
        }
    }

    /** The legacy AlterConfigs of one group: {@code given} (a null value removes the key) becomes its whole set. */
    public static void replace(GroupConfigs groups, String group, Map<String, String> given, boolean validateOnly) {
        requireAlterable(group);
        Map<String, String> next = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            if (v != null) next.put(k, v);
        });
        synchronized (groups) {
            GroupConfigDef.validate(next, groups.brokerConfig());
            if (!validateOnly) groups.replace(group, GroupConfigDef.normalized(next));
        }
    }

    /**
     * DescribeConfigs of one group, in Kafka's order: each key set on the group (source GROUP_CONFIG) or its
     * default (DEFAULT_CONFIG), the one synonym being the key itself.
     */
    public static List<ConfigDescriber.Described> describe(GroupConfigs groups, String group) {
        if (group == null || group.isEmpty())
            throw new AdminException(Errors.INVALID_REQUEST, "Group name must not be empty");
        Map<String, String> set = groups.configs(group);
        List<ConfigDescriber.Described> out = new ArrayList<>();
        for (String name : GroupConfigDef.DESCRIBE_ORDER) {
            GroupConfigDef.Key k = GroupConfigDef.get(name);
            String v = set.get(name);
            byte source = v != null ? ConfigResources.GROUP_CONFIG : ConfigResources.DEFAULT_CONFIG;
            String value = v != null ? v : k.defaultFor(groups.brokerConfig());
            out.add(new ConfigDescriber.Described(
                    name, value, source, false, k.type(), List.of(new ConfigDescriber.Synonym(name, value, source))));
        }
        return out;
    }

    private static void requireAlterable(String group) {
        if (group == null || group.isEmpty())
            throw new AdminException(Errors.INVALID_REQUEST, "Default group resources are not allowed.");
    }
}
