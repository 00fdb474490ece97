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
    private static final Set<String> NAMES = Set.of(GROUP_METADATA, TRANSACTION_STATE, "__share_group_state");

    private InternalTopics() {}

    public static boolean isInternal(String topic) {
        return topic != null && NAMES.contains(topic);
    }

    /**
     * Fails a client's change of an internal topic: {@code error} is what Kafka answers for that request
     * (Produce and DeleteRecords: INVALID_TOPIC_EXCEPTION), {@code what} says what was refused.
     */
    public static void refuse(String topic, Errors error, String what) {
        if (isInternal(topic)) throw new ApiException(error, "Cannot " + what + " internal topic " + topic);
    }
}
