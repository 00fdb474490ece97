package dev.skiff.it.share;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.BrokerFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The group config {@code share.auto.offset.reset=by_duration:PT1H} with KafkaShareConsumer: a new share group
 * starts at the first record written in the last hour, skipping older ones (their create times set two hours back).
 */
class ShareAutoOffsetResetByDurationTest {

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    @Test
    void aNewGroupStartsAtTheFirstRecordOfTheLastHour() throws Exception {
        String topic = BrokerFixture.uniqueTopic("by-duration");
        String group = "by-duration-" + topic;
        broker.createTopic(topic, 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        long now = System.currentTimeMillis();
        long old = now - Duration.ofHours(2).toMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, 0, old, null, "old0")).get();
            producer.send(new ProducerRecord<>(topic, 0, old + 1, null, "old1")).get();
            producer.send(new ProducerRecord<>(topic, 0, now, null, "new0")).get();
            producer.send(new ProducerRecord<>(topic, 0, now + 1, null, "new1")).get();
        }
        try (Admin admin = ShareClients.admin(broker.bootstrap())) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.GROUP, group),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("share.auto.offset.reset", "by_duration:PT1H"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
        try (var consumer = ShareClients.consumer(broker.bootstrap(), group, true)) {
            consumer.subscribe(List.of(topic));
            Set<String> seen = new TreeSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(consumer)) {
                    seen.add(r.value());
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                consumer.commitSync();
            }
            assertEquals(Set.of("new0", "new1"), seen, "only the records of the last hour");
        }
    }
}
