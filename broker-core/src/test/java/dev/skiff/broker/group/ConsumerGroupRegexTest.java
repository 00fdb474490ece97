package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatRequestData;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regular-expression subscriptions resolved as Kafka resolves them: the result is written as a
 * ConsumerGroupRegularExpression record (not matched again on every heartbeat), resolved again when topics change
 * but at most every 10 s, replayed at start, and deleted when nobody subscribes to the expression any more.
 */
class ConsumerGroupRegexTest {

    @TempDir
    Path dir;

    private final ManualTimer timer = new ManualTimer();

    private static ConsumerGroupHeartbeatResponseData heartbeat(
            GroupCoordinator c, String member, int epoch, String regex) {
        ConsumerGroupHeartbeatRequestData r = new ConsumerGroupHeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(member)
                .setMemberEpoch(epoch);
        if (epoch == 0)
            r.setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex(regex).setTopicPartitions(new ArrayList<>());
        return c.consumerGroups().heartbeat(r, "client", "/127.0.0.1", (short) 1);
    }

    private static int partitions(ConsumerGroupHeartbeatResponseData r) {
        int n = 0;
        if (r.assignment() != null)
            for (var tp : r.assignment().topicPartitions()) n += tp.partitions().size();
        return n;
    }

    @Test
    void resultsAreStoredRefreshedWhenTopicsChangeAndDeletedWithTheirLastSubscriber() {
        BrokerConfig config = BrokerConfig.defaults();
        TopicManager topics = new TopicManager(config, LogFactory.files(dir));
        try {
            topics.create("metrics-a", 2, Map.of());
            topics.create("other", 1, Map.of());
            OffsetStore store = new OffsetStore(topics, config);
            GroupCoordinator c = new GroupCoordinator(store, config, timer, GroupCoordinator.PendingOffsets.NONE);
            ConsumerGroupHeartbeatResponseData joined = heartbeat(c, "m1", 0, "metrics-.*");
            assertEquals(2, partitions(joined));
            ConsumerGroupState.Resolved first =
                    store.consumerGroup(GROUP).regexes.get("metrics-.*");
            assertEquals(List.of("metrics-a"), first.topics(), "the result is stored");
            int epoch = store.consumerGroup(GROUP).epoch;

            topics.create("metrics-b", 3, Map.of());
            timer.advance(1_000);
            heartbeat(c, "m1", joined.memberEpoch(), null);
            assertEquals(
                    List.of("metrics-a"),
                    store.consumerGroup(GROUP).regexes.get("metrics-.*").topics(),
                    "not resolved again within 10 s");
            assertEquals(epoch, store.consumerGroup(GROUP).epoch);

            timer.advance(10_000);
            ConsumerGroupHeartbeatResponseData next = heartbeat(c, "m1", joined.memberEpoch(), null);
            ConsumerGroupState.Resolved second =
                    store.consumerGroup(GROUP).regexes.get("metrics-.*");
            assertEquals(List.of("metrics-a", "metrics-b"), second.topics(), "the new topic matches");
            assertTrue(second.version() > first.version());
            assertEquals(epoch + 1, store.consumerGroup(GROUP).epoch, "the group's epoch moves");
            assertEquals(5, partitions(next));

            // a second member with the same expression shares the result; a third with another
            heartbeat(c, "m2", 0, "metrics-.*");
            heartbeat(c, "m3", 0, "oth.*");
            timer.advance(10_000);
            heartbeat(c, "m3", store.consumerGroup(GROUP).current.get("m3").memberEpoch(), null);
            assertEquals(
                    List.of("other"),
                    store.consumerGroup(GROUP).regexes.get("oth.*").topics());
            heartbeat(c, "m3", -1, null);
            assertEquals(
                    List.of("metrics-.*"),
                    List.copyOf(store.consumerGroup(GROUP).regexes.keySet()),
                    "the result nobody subscribes to any more is deleted");
        } finally {
            topics.close();
        }
        topics = new TopicManager(config, LogFactory.files(dir));
        try {
            OffsetStore store = new OffsetStore(topics, config);
            assertEquals(
                    List.of("metrics-a", "metrics-b"),
                    store.consumerGroup(GROUP).regexes.get("metrics-.*").topics(),
                    "the results are replayed at start");
            assertEquals(1, store.consumerGroup(GROUP).regexes.size());
        } finally {
            topics.close();
        }
    }
}
