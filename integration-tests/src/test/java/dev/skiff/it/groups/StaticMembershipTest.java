package dev.skiff.it.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A static member (group.instance.id) that restarts within its session timeout gets its partitions back. */
class StaticMembershipTest {

    private static final String TOPIC = "pinned";
    private static final int SESSION_TIMEOUT_MS = 30_000;

    private static KafkaConsumer<String, String> member(
            EmbeddedSkiff broker, String instance, ConsumerRebalanceListener l) {
        var props = GroupClients.consumerProps(broker, "static-group");
        props.put("group.instance.id", instance);
        // the test never needs a session to expire: a long one keeps a slow restart of instance-a from being
        // taken for a departure on a loaded machine
        props.put("session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS));
        KafkaConsumer<String, String> c = new KafkaConsumer<>(props);
        c.subscribe(List.of(TOPIC), l);
        return c;
    }

    /** Counts the other member's rebalances: there must be none when the static member comes back. */
    private static final class Counting implements ConsumerRebalanceListener {
        final AtomicInteger revoked = new AtomicInteger();
        final AtomicInteger assigned = new AtomicInteger();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> p) {
            if (!p.isEmpty()) revoked.incrementAndGet();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> p) {
            assigned.incrementAndGet();
        }
    }

    @Test
    @Timeout(60)
    void aRestartedStaticMemberGetsItsPartitionsBackWithoutARebalance() {
        try (EmbeddedSkiff broker = GroupClients.broker(TOPIC, 4)) {
            Counting other = new Counting();
            KafkaConsumer<String, String> a = member(broker, "instance-a", new Counting());
            try (KafkaConsumer<String, String> b = member(broker, "instance-b", other)) {
                Poll.until(
                        Duration.ofSeconds(20),
                        "two members with two partitions each",
                        () -> {
                            a.poll(Duration.ofMillis(20));
                            b.poll(Duration.ofMillis(20));
                            return List.of(
                                    a.assignment().size(),
                                    b.assignment().size(),
                                    a.groupMetadata().generationId()
                                                    == b.groupMetadata().generationId()
                                            ? 1
                                            : 0);
                        },
                        s -> s.equals(List.of(2, 2, 1)));
                Set<TopicPartition> partitionsOfA = Set.copyOf(a.assignment());
                int generation = a.groupMetadata().generationId();
                int revokedBefore = other.revoked.get(), assignedBefore = other.assigned.get();
                a.close(); // a static member does not leave the group on close

                try (KafkaConsumer<String, String> again = member(broker, "instance-a", new Counting())) {
                    Poll.until(
                            Duration.ofSeconds(20), // within the session: no rebalance is due
                            "instance-a back",
                            () -> {
                                again.poll(Duration.ofMillis(20));
                                b.poll(Duration.ofMillis(20));
                                return again.assignment();
                            },
                            s -> !s.isEmpty());
                    assertEquals(partitionsOfA, again.assignment());
                    assertEquals(generation, again.groupMetadata().generationId(), "no new generation");
                    for (int i = 0; i < 10; i++) b.poll(Duration.ofMillis(50));
                    assertEquals(revokedBefore, other.revoked.get(), "the other member was not disturbed");
                    assertEquals(assignedBefore, other.assigned.get());
                    assertEquals(generation, b.groupMetadata().generationId());
                }
            }
        }
    }
}
