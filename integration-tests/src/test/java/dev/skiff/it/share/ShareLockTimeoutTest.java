package dev.skiff.it.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * group.share.record.lock.duration.ms with KafkaShareConsumer: records a consumer acquired and never acknowledged
 * go to another consumer of the group once their lock expires, as a later delivery. Usually the second; but a
 * client may acquire records its application never sees before the lock runs out (a share fetch in flight or
 * made in the background while the other consumer's join takes longer than a lock on a loaded machine), and
 * then the other consumer gets them as the third.
 */
class ShareLockTimeoutTest {

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture()
            .property("share.auto.offset.reset", "earliest")
            // long enough that a loaded machine still acknowledges within it; far below the 30 s default
            .property("group.share.record.lock.duration.ms", "5000");

    @Test
    void recordsOfASilentConsumerGoToAnotherWhenTheirLockExpires() throws Exception {
        String topic = BrokerFixture.uniqueTopic("locks");
        String group = "locks-" + topic;
        broker.createTopic(topic, 1);
        ShareClients.produce(broker.bootstrap(), topic, 0, 3, "k");
        try (var silent = ShareClients.consumer(broker.bootstrap(), group, true);
                var other = ShareClients.consumer(broker.bootstrap(), group, true)) {
            silent.subscribe(List.of(topic));
            int held = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (held < 3 && System.nanoTime() < deadline)
                held += ShareClients.poll(silent).size();
            assertEquals(3, held, "the first consumer acquired every record and keeps them unacknowledged");

            other.subscribe(List.of(topic));
            Map<String, Short> redelivered = new TreeMap<>();
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (redelivered.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(other)) {
                    // the first delivery to this consumer counts: a late acknowledgement may bring a third
                    redelivered.putIfAbsent(r.value(), r.deliveryCount().orElse((short) -1));
                    other.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                other.commitSync();
            }
            assertEquals(Set.of("k0", "k1", "k2"), redelivered.keySet());
            redelivered.forEach((value, count) ->
                    assertTrue(count >= 2, value + " came to the other consumer as delivery " + count));
        }
    }
}
