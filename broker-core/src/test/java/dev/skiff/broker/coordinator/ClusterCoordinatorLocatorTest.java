package dev.skiff.broker.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.cluster.FakeController;
import dev.skiff.broker.coordinator.CoordinatorLocator.KeyType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterCoordinatorLocatorTest {

    private static BrokerConfig config(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return BrokerConfig.of(m);
    }

    @Test
    void theCoordinatorIsTheLeaderOfTheKeysPartition() {
        FakeController c = new FakeController().broker(0).broker(1).broker(2);
        c.topic(InternalTopics.GROUP_METADATA, 2, 0, 1);
        ClusterCoordinatorLocator locator =
                new ClusterCoordinatorLocator(c::image, c, config("node.id", "1", "offsets.topic.num.partitions", "3"));
        int[] leaders = {2, 0, 1};
        for (int i = 0; i < 20; i++) {
            String key = "group-" + i;
            int p = (key.hashCode() & 0x7fffffff) % 3;
            assertEquals(p, locator.partitionFor(KeyType.GROUP, key));
            assertEquals(leaders[p], locator.coordinator(KeyType.GROUP, key).id(), key);
            assertEquals(
                    "host-" + leaders[p],
                    locator.coordinator(KeyType.GROUP, key).host());
            if (leaders[p] == 1) locator.ensureCoordinator(KeyType.GROUP, key);
            else
                assertEquals(
                        Errors.NOT_COORDINATOR,
                        assertThrows(ApiException.class, () -> locator.ensureCoordinator(KeyType.GROUP, key))
                                .error());
        }
        assertEquals(List.of(), c.created, "an existing topic is not created again");
    }

    @Test
    void aPartitionWithoutALeaderHasNoCoordinator() {
        FakeController c = new FakeController().broker(0);
        c.topic(InternalTopics.GROUP_METADATA, -1);
        ClusterCoordinatorLocator locator = new ClusterCoordinatorLocator(c::image, c, config());
        assertEquals(
                Errors.COORDINATOR_NOT_AVAILABLE,
                assertThrows(ApiException.class, () -> locator.coordinator(KeyType.GROUP, "g"))
                        .error());
        c.fence(0);
        c.topic(InternalTopics.GROUP_METADATA, 0); // led by a broker that is not alive
        assertEquals(
                Errors.COORDINATOR_NOT_AVAILABLE,
                assertThrows(ApiException.class, () -> locator.coordinator(KeyType.GROUP, "g"))
                        .error());
    }

    @Test
    void theInternalTopicIsCreatedWhenFirstNeededWithItsReplicationFactor() {
        FakeController c = new FakeController().broker(0).broker(1);
        // Kafka's default factor of 3 with two brokers alive: refused, as Kafka 4.x refuses it
        ClusterCoordinatorLocator kafkaDefaults = new ClusterCoordinatorLocator(c::image, c, config());
        assertEquals(
                Errors.COORDINATOR_NOT_AVAILABLE,
                assertThrows(ApiException.class, () -> kafkaDefaults.coordinator(KeyType.TRANSACTION, "tx"))
                        .error());
        assertEquals(List.of(), c.created);

        ClusterCoordinatorLocator two = new ClusterCoordinatorLocator(
                c::image,
                c,
                config("transaction.state.log.replication.factor", "2", "transaction.state.log.num.partitions", "4"));
        int leader = two.coordinator(KeyType.TRANSACTION, "tx").id();
        assertEquals(List.of(InternalTopics.TRANSACTION_STATE + ":4:2"), c.created);
        assertEquals(
                c.image()
                        .partition(InternalTopics.TRANSACTION_STATE, two.partitionFor(KeyType.TRANSACTION, "tx"))
                        .leader(),
                leader);
        two.coordinator(KeyType.TRANSACTION, "other");
        assertEquals(1, c.created.size(), "created once");
    }
}
