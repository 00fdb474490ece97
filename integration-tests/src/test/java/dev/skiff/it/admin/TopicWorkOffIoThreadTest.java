package dev.skiff.it.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CreateTopics, CreatePartitions and DeleteTopics make and remove files and fsync them: seconds for thousands of
 * partitions. They run on the topic manager's own thread, so the I/O threads go on serving every connection
 * meanwhile. Shown without timing: the topic thread is held by a latch, the three admin requests are sent and
 * wait behind it, while Metadata is answered on several fresh connections (with two I/O threads, some of them
 * share the admin client's); once released, all three complete.
 */
@Timeout(120)
class TopicWorkOffIoThreadTest {

    @Test
    void topicFileWorkDoesNotHoldTheIoThreads() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            broker.createTopic("grown", 1);
            broker.createTopic("doomed", 1);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            InsideBroker.of(broker).topics().offload(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            assertTrue(held.await(30, TimeUnit.SECONDS));
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                KafkaFuture<Void> created = admin.createTopics(List.of(new NewTopic("fresh", 4, (short) 1)))
                        .all();
                KafkaFuture<Void> grown = admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(3)))
                        .all();
                KafkaFuture<Void> deleted =
                        admin.deleteTopics(List.of("doomed")).all();

                List<KafkaWire> others = new ArrayList<>();
                try {
                    for (int i = 0; i < 6; i++) others.add(new KafkaWire(broker.host(), broker.port()));
                    for (KafkaWire wire : others) {
                        MetadataResponseData m = wire.send(new MetadataRequestData().setTopics(null), 12);
                        assertTrue(m.topics().stream().anyMatch(t -> t.name().equals("grown")));
                    }
                } finally {
                    for (KafkaWire wire : others) wire.close();
                }
                assertFalse(created.isDone(), "CreateTopics ran beside the held topic thread");
                assertFalse(grown.isDone(), "CreatePartitions ran beside the held topic thread");
                assertFalse(deleted.isDone(), "DeleteTopics ran beside the held topic thread");

                release.countDown();
                created.get(60, TimeUnit.SECONDS);
                grown.get(60, TimeUnit.SECONDS);
                deleted.get(60, TimeUnit.SECONDS);
                assertEquals(
                        3,
                        admin.describeTopics(List.of("grown"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get("grown")
                                .partitions()
                                .size());
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("fresh"));
                assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("doomed"));
            } finally {
                release.countDown();
            }
        }
    }
}
