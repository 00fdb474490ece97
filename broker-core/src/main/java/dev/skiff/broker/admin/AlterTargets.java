package dev.skiff.broker.admin;

import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.protocol.Errors;

/** Finds what AlterConfigs and IncrementalAlterConfigs change, with Kafka's errors when it cannot. */
public final class AlterTargets {

    private AlterTargets() {}

    /** The topic named by a TOPIC resource. */
    public static Topic topic(TopicManager topics, String name) {
        try {
            TopicManager.validateName(name);
        } catch (InvalidTopicException e) {
            throw new AdminException(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        Topic t = topics.get(name);
        if (t == null) throw new AdminException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        return t;
    }

    /** Broker settings are read at start only: any change is refused as Kafka refuses non-dynamic ones. */
    public static AdminException brokerChange(byte resourceType, String name, int nodeId) {
        if (resourceType == ConfigResources.BROKER) {
            if (name != null && !name.isEmpty() && !name.equals(Integer.toString(nodeId)))
                return new AdminException(Errors.INVALID_REQUEST, "Unexpected broker id, expected " + nodeId + " or empty string, but received " + name);
            return new AdminException(Errors.INVALID_REQUEST, "Skiff cannot update broker configs dynamically; set them at start.");
        }
        return new AdminException(Errors.INVALID_REQUEST, "Unsupported resource type " + resourceType);
    }
}
