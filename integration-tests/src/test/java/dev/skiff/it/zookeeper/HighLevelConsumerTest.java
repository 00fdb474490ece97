package dev.skiff.it.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.it.zookeeper.GroupConsumer.Received;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The tutorial's group consumer, the Kafka 0.8.1.1 high-level consumer, against Skiff with its ZooKeeper bridge:
 * it finds the broker and partitions in ZooKeeper, balances a group there and commits its offsets there.
 */
@Timeout(120)
class HighLevelConsumerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedSkiff broker;
    private static ZnodeReader zk;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedSkiff.builder()
                .zookeeper()
                .property("num.partitions", "3")
                .start();
        zk = new ZnodeReader(broker.zookeeperConnect());
    }

    @AfterAll
    static void stop() throws Exception {
        if (zk != null) zk.close();
        if (broker != null) broker.close();
    }

    private static String name(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName();
    }

    @Test
    void oneConnectorWithThreeStreamsReceivesEverything(TestInfo test) {
        String topic = name(test);
        broker.createTopic(topic, 3);
        try (GroupConsumer consumer =
                GroupConsumer.connect(broker.zookeeperConnect(), topic + "-group", "c1", Map.of())) {
            consumer.consume(topic, 3);
            List<String> sent = TestData.produce(broker.bootstrapServers(), topic, 3, "m", 90);
            waitForAll(sent, consumer);
            assertExactlyOnce(sent, consumer.received());
            assertOffsetsDensePerPartition(consumer.received(), 3, 30);
            Set<String> threads =
                    consumer.received().stream().map(r -> "p" + r.partition()).collect(Collectors.toSet());
            assertEquals(Set.of("p0", "p1", "p2"), threads, "every partition delivered");
            assertTrue(consumer.failures().isEmpty(), "stream errors: " + consumer.failures());
        }
    }

    @Test
    void smallestReadsWhatWasThereBeforeTheGroupExisted(TestInfo test) {
        String topic = name(test);
        broker.createTopic(topic, 3);
        List<String> sent = TestData.produce(broker.bootstrapServers(), topic, 3, "early", 30);
        try (GroupConsumer consumer = GroupConsumer.connect(
                broker.zookeeperConnect(), topic + "-group", "c1", Map.of("auto.offset.reset", "smallest"))) {
            consumer.consume(topic, 1);
            waitForAll(sent, consumer);
            assertExactlyOnce(sent, consumer.received());
        }
    }

    @Test
    void committedOffsetsAreHonouredWhenAConnectorComesBack(TestInfo test) throws Exception {
        String topic = name(test);
        String group = topic + "-group";
        broker.createTopic(topic, 3);
        List<String> first = TestData.produce(broker.bootstrapServers(), topic, 3, "first", 30);
        try (GroupConsumer consumer =
                GroupConsumer.connect(broker.zookeeperConnect(), group, "c1", Map.of("auto.commit.enable", "false"))) {
            consumer.consume(topic, 3);
            waitForAll(first, consumer);
            consumer.commitOffsets();
        }
        for (int p = 0; p < 3; p++) {
            assertEquals(
                    "10",
                    zk.text("/consumers/" + group + "/offsets/" + topic + "/" + p),
                    "the next offset to read of partition " + p + ", as the 0.8 consumer writes it");
        }
        List<String> second = TestData.produce(broker.bootstrapServers(), topic, 3, "second", 30);
        try (GroupConsumer again =
                GroupConsumer.connect(broker.zookeeperConnect(), group, "c2", Map.of("auto.commit.enable", "false"))) {
            again.consume(topic, 3);
            waitForAll(second, again);
            // offsets grow within a partition, so anything re-read would have come before the second batch
            assertExactlyOnce(second, again.received());
            assertTrue(
                    again.received().stream().allMatch(r -> r.offset() >= 10), "nothing below the committed offsets");
        }
    }

    @Test
    void twoConnectorsSplitThePartitionsAndTheSurvivorTakesOver(TestInfo test) throws Exception {
        String topic = name(test);
        String group = topic + "-group";
        broker.createTopic(topic, 3);
        List<Received> all = new ArrayList<>();
        try (GroupConsumer b = GroupConsumer.connect(broker.zookeeperConnect(), group, "b", Map.of())) {
            List<String> sent = new ArrayList<>();
            try (GroupConsumer a = GroupConsumer.connect(broker.zookeeperConnect(), group, "a", Map.of())) {
                // one stream each: the 0.8 range assignor hands partitions to sorted threads, so with three
                // streams each on three partitions the first member would take them all
                a.consume(topic, 1);
                b.consume(topic, 1);
                Poll.until(
                        WAIT,
                        "both members owning partitions",
                        () -> owners(group, topic),
                        o -> o.size() == 3
                                && o.values().stream().anyMatch(v -> v.startsWith(group + "_a-"))
                                && o.values().stream().anyMatch(v -> v.startsWith(group + "_b-")));
                sent.addAll(TestData.produce(broker.bootstrapServers(), topic, 3, "before", 60));
                waitForAll(sent, a, b);
                Set<Integer> ofA = partitions(a.received());
                Set<Integer> ofB = partitions(b.received());
                assertFalse(ofA.isEmpty(), "a got partitions");
                assertFalse(ofB.isEmpty(), "b got partitions");
                assertTrue(ofA.stream().noneMatch(ofB::contains), "no partition read by both: a " + ofA + ", b " + ofB);
                all.addAll(a.received());
            } // a leaves; with auto-commit on it commits what it consumed first
            Poll.until(
                    WAIT,
                    "b owning every partition",
                    () -> owners(group, topic),
                    o -> o.size() == 3 && o.values().stream().allMatch(v -> v.startsWith(group + "_b-")));
            sent.addAll(TestData.produce(broker.bootstrapServers(), topic, 3, "after", 60));
            waitForAll(sent, List.of(b), all);
            all.addAll(b.received());
            assertExactlyOnce(sent, all);
            assertTrue(b.failures().isEmpty(), "stream errors: " + b.failures());
        }
    }

    /** Partition -> owning consumer thread, as the group's members write it in ZooKeeper. */
    private static Map<Integer, String> owners(String group, String topic) throws Exception {
        Map<Integer, String> owners = new TreeMap<>();
        String dir = "/consumers/" + group + "/owners/" + topic;
        for (String p : zk.children(dir)) {
            String owner = zk.text(dir + "/" + p);
            if (owner != null) owners.put(Integer.parseInt(p), owner);
        }
        return owners;
    }

    private static Set<Integer> partitions(Collection<Received> received) {
        return received.stream().map(Received::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void waitForAll(List<String> sent, GroupConsumer... consumers) {
        waitForAll(sent, List.of(consumers), List.of());
    }

    private static void waitForAll(List<String> sent, List<GroupConsumer> consumers, List<Received> earlier) {
        Poll.until(
                WAIT,
                sent.size() + " messages by the group",
                () -> {
                    Set<String> seen = new HashSet<>();
                    earlier.forEach(r -> seen.add(r.value()));
                    consumers.forEach(c -> c.received().forEach(r -> seen.add(r.value())));
                    return seen;
                },
                seen -> seen.containsAll(sent));
    }

    private static void assertExactlyOnce(List<String> sent, List<Received> received) {
        List<String> values = received.stream().map(Received::value).sorted().toList();
        assertEquals(sent.stream().sorted().toList(), values, "every message once, nothing else");
    }

    private static void assertOffsetsDensePerPartition(List<Received> received, int partitions, int perPartition) {
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            List<Long> offsets = received.stream()
                    .filter(r -> r.partition() == partition)
                    .map(Received::offset)
                    .toList();
            List<Long> expected = new ArrayList<>();
            for (long o = 0; o < perPartition; o++) expected.add(o);
            assertEquals(expected, offsets, "offsets of partition " + p + " in order");
        }
    }
}
