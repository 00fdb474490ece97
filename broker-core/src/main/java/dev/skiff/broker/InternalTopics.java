package dev.skiff.broker;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.Set;

/**
 * Kafka's internal topics (its Topic.isInternal): the broker writes them in its own layouts and replays
 * them at start, so one foreign record there can stop the next start. Clients may read them, never change them.
 */
public final class InternalTopics {

    public static final String GROUP_METADATA = "__consumer_offsets";
    public static final String TRANSACTION_STATE = "__transaction_state";
    public static final String SHARE_GROUP_STATE = "__share_group_state";
    private static final Set<String> NAMES = Set.of(GROUP_METADATA, TRANSACTION_STATE, SHARE_GROUP_STATE);

    private InternalTopics() {}

    public static boolean isInternal(String topic) {
        return topic != null && NAMES.contains(topic);
    }

    /**
     * Whether each broker of a cluster keeps this topic for itself, outside the controller's metadata, so that
     * it leads its own copy from the start: {@code __share_group_state}, where the leader of a partition keeps
     * the state of its share groups.
     */
    public static boolean isBrokerLocal(String topic) {
        return SHARE_GROUP_STATE.equals(topic);
    }

    /**
     * Fails a client's change of an internal topic: {@code error} is what Kafka answers for that request
     * (Produce and DeleteRecords: INVALID_TOPIC_EXCEPTION), {@code what} says what was refused.
     */
    public static void refuse(String topic, Errors error, String what) {
        if (isInternal(topic)) throw new ApiException(error, "Cannot " + what + " internal topic " + topic);
    }
}
