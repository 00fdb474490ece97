package dev.skiff.it.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Admin client's consumer group calls against a live group and after it is gone. */
class GroupAdminTest {

    private static final String TOPIC = "audited";

    @SuppressWarnings("deprecation")
    private static Set<String> listed(Admin admin) throws Exception {
        return admin.listConsumerGroups().all().get().stream()
                .map(ConsumerGroupListing::groupId)
                .collect(Collectors.toSet());
    }

    @Test
    @Timeout(30)
    void listDescribeAndDeleteGroupsAndOffsets() throws Exception {
        try (EmbeddedSkiff broker = GroupClients.broker(TOPIC, 3);
                Admin admin = GroupClients.admin(broker)) {
            GroupClients.produce(broker, TOPIC, 3, 5, 1_000);
            TopicPartition p0 = new TopicPartition(TOPIC, 0);
            try (KafkaConsumer<String, String> c = GroupClients.consumer(broker, "audit")) {
                c.subscribe(List.of(TOPIC));
                // commit only once all 15 records were read: a commit right after the assignment may hold no
                // position yet for a partition whose first fetch has not come back
                int[] read = {0};
                Poll.until(
                        Duration.ofSeconds(20),
                        "an assignment and every record",
                        () -> {
                            read[0] += c.poll(Duration.ofMillis(50)).count();
                            return c.assignment();
                        },
                        a -> a.size() == 3 && read[0] == 15);
                c.commitSync();

                assertTrue(listed(admin).contains("audit"));
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("audit"))
                        .describedGroups()
                        .get("audit")
                        .get();
                assertEquals(GroupState.STABLE, d.groupState());
                assertEquals("range", d.partitionAssignor());
                assertEquals(1, d.members().size());
                MemberDescription m = d.members().iterator().next();
                assertEquals(
                        Set.of(p0, new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2)),
                        m.assignment().topicPartitions());
                assertEquals(c.groupMetadata().memberId(), m.consumerId());

                ExecutionException subscribed = assertThrows(
                        ExecutionException.class,
                        () -> admin.deleteConsumerGroupOffsets("audit", Set.of(p0))
                                .all()
                                .get());
                assertInstanceOf(GroupSubscribedToTopicException.class, subscribed.getCause());
                ExecutionException notEmpty = assertThrows(
                        ExecutionException.class,
                        () -> admin.deleteConsumerGroups(List.of("audit")).all().get());
                assertInstanceOf(GroupNotEmptyException.class, notEmpty.getCause());
            }

            // the consumer left: offsets and then the group can go
            admin.deleteConsumerGroupOffsets("audit", Set.of(p0)).all().get();
            var left = admin.listConsumerGroupOffsets("audit")
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertFalse(left.containsKey(p0));
            assertEquals(5, left.get(new TopicPartition(TOPIC, 1)).offset());
            ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of("audit"))
                    .describedGroups()
                    .get("audit")
                    .get();
            assertEquals(GroupState.EMPTY, empty.groupState());
            assertTrue(empty.members().isEmpty());

            admin.deleteConsumerGroups(List.of("audit")).all().get();
            assertFalse(listed(admin).contains("audit"));
            assertTrue(admin.listConsumerGroupOffsets("audit")
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .isEmpty());
        }
    }
}
