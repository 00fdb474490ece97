package dev.skiff.broker.admin;

import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

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
        if (t == null)
            throw new AdminException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        return t;
    }

    /** Broker settings are read at start only: any change is refused as Kafka refuses non-dynamic ones. */
    public static AdminException brokerChange(byte resourceType, String name, int nodeId) {
        if (resourceType == ConfigResources.BROKER) {
            if (name != null && !name.isEmpty() && !name.equals(Integer.toString(nodeId)))
                return new AdminException(
                        Errors.INVALID_REQUEST,
                        "Unexpected broker id, expected " + nodeId + " or empty string, but received " + name);
            return new AdminException(
                    Errors.INVALID_REQUEST, "Skiff cannot update broker configs dynamically; set them at start.");
        }
        return new AdminException(Errors.INVALID_REQUEST, "Unsupported resource type " + resourceType);
    }

    /**
     * Alters each resource in request order and answers each with {@code answer}: a resource named twice in one
     * request is INVALID_REQUEST (as Kafka answers), the others go to {@code alter}, whose AdminException becomes
     * the resource's error.
     */
    public static <R, A> List<A> alterEach(
            List<R> resources,
            Function<R, Byte> type,
            Function<R, String> name,
            Consumer<R> alter,
            BiFunction<R, ApiError, A> answer) {
        Map<String, Integer> count = new HashMap<>();
        for (R res : resources) count.merge(type.apply(res) + ":" + name.apply(res), 1, Integer::sum);
        List<A> answers = new ArrayList<>(resources.size());
        for (R res : resources) {
            ApiError result = ApiError.NONE;
            try {
                if (count.get(type.apply(res) + ":" + name.apply(res)) > 1)
                    throw new AdminException(
                            Errors.INVALID_REQUEST, "Error due to duplicate resource " + name.apply(res));
                alter.accept(res);
            } catch (AdminException e) {
                result = e.error();
            }
            answers.add(answer.apply(res, result));
        }
        return answers;
    }
}
