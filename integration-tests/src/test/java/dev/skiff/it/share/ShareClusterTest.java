package dev.skiff.it.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.junit.Skiff;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.junit.jupiter.api.Test;

/**
 * A share group on three brokers: each partition's leader keeps its share-partition state in its own
 * {@code __share_group_state}, which no controller assigns, so a cluster member must write it without waiting
 * for a role (it once waited for ever, and every ShareFetch answered NOT_COORDINATOR, which kafka-clients
 * 4.1's share consumer throws as an IllegalStateException).
 */
@Skiff(
        brokers = 3,
        topics = "jobs:3",
        properties = {"default.replication.factor=3", "share.auto.offset.reset=earliest"})
class ShareClusterTest {

    @Test
    void aShareGroupOnThreeBrokersReadsAcceptsAndDoesNotReadAgain(SkiffCluster cluster) throws Exception {
        for (int p = 0; p < 3; p++) ShareClients.produce(cluster.bootstrapServers(), "jobs", p, 30, p + "-");
        Set<String> accepted = new HashSet<>();
        try (KafkaShareConsumer<String, String> c =
                ShareClients.consumer(cluster.bootstrapServers(), "cluster-sharers", true)) {
            c.subscribe(List.of("jobs"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (accepted.size() < 90 && System.nanoTime() < deadline) {
                List<String> polled = new ArrayList<>();
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                    polled.add(r.value());
                }
                if (polled.isEmpty()) continue;
                Map<TopicIdPartition, Optional<KafkaException>> committed = c.commitSync();
                committed.forEach((tp, e) -> assertTrue(e.isEmpty(), tp + ": " + e));
                accepted.addAll(polled);
            }
        }
        assertEquals(90, accepted.size(), "every record delivered and accepted");

        // a new member of the group is given nothing: what was accepted stays accepted
        try (KafkaShareConsumer<String, String> again =
                ShareClients.consumer(cluster.bootstrapServers(), "cluster-sharers", true)) {
            again.subscribe(List.of("jobs"));
            List<String> redelivered = new ArrayList<>();
            for (int i = 0; i < 15; i++) ShareClients.poll(again).forEach(r -> redelivered.add(r.value()));
            assertEquals(List.of(), redelivered);
        }
    }
}
