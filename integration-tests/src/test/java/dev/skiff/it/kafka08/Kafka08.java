package dev.skiff.it.kafka08;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.it.BrokerFixture;
import dev.skiff.it.Poll;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.api.FetchRequestBuilder;
import kafka.api.PartitionOffsetRequestInfo;
import kafka.common.ErrorMapping;
import kafka.common.TopicAndPartition;
import kafka.javaapi.FetchResponse;
import kafka.javaapi.OffsetRequest;
import kafka.javaapi.OffsetResponse;
import kafka.javaapi.PartitionMetadata;
import kafka.javaapi.TopicMetadata;
import kafka.javaapi.TopicMetadataRequest;
import kafka.javaapi.TopicMetadataResponse;
import kafka.javaapi.consumer.SimpleConsumer;
import kafka.javaapi.producer.Producer;
import kafka.message.MessageAndOffset;
import kafka.producer.KeyedMessage;
import kafka.producer.ProducerConfig;

/** What the tutorial's 0.8.1.1 demos do with the client, as small helpers for the tests. */
public final class Kafka08 {
    public static final int SO_TIMEOUT_MS = 10_000;
    public static final int BUFFER_BYTES = 64 * 1024;
    /** The tutorial's fetch size. */
    public static final int FETCH_BYTES = 100_000;

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private Kafka08() {}

    /** A message as read back: its offset, key and value. */
    public record Read(long offset, String key, String value) {}

    /** A producer of string keys and values, partitioned by {@link LastNumberPartitioner}, with extra settings. */
    public static Producer<String, String> producer(BrokerFixture broker, Properties settings) {
        Properties props = new Properties();
        props.put("metadata.broker.list", broker.bootstrap());
        props.put("serializer.class", "kafka.serializer.StringEncoder");
        props.put("partitioner.class", LastNumberPartitioner.class.getName());
        props.putAll(settings);
        return new Producer<>(new ProducerConfig(props));
    }

    public static Properties settings(String... keysAndValues) {
        Properties props = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            props.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return props;
    }

    /**
     * {@code count} messages in the tutorial's format; message i has the key {@code 192.168.2.(i % 255)}, so the
     * partitioner spreads them over every partition, and the value names i so that order can be checked.
     */
    public static List<KeyedMessage<String, String>> messages(String topic, String tag, int count) {
        List<KeyedMessage<String, String>> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String ip = "192.168.2." + (i % 255);
            messages.add(new KeyedMessage<>(topic, ip, tag + "-" + i + ",www.example.com," + ip));
        }
        return messages;
    }

    /** The messages the partitioner sends to {@code partition}, in the order sent. */
    public static List<KeyedMessage<String, String>> inPartition(
            List<KeyedMessage<String, String>> sent, int partition, int partitions) {
        List<KeyedMessage<String, String>> mine = new ArrayList<>();
        for (KeyedMessage<String, String> m : sent) {
            if (LastNumberPartitioner.partitionOf(m.key(), partitions) == partition) {
                mine.add(m);
            }
        }
        return mine;
    }

    public static SimpleConsumer consumer(String host, int port, String clientId) {
        return new SimpleConsumer(host, port, SO_TIMEOUT_MS, BUFFER_BYTES, clientId);
    }

    /** Creates the topic (embedded broker) or lets the broker auto-create it, and waits for every leader. */
    public static List<PartitionMetadata> createTopic(BrokerFixture broker, String topic, int partitions) {
        broker.createTopic(topic, partitions);
        return awaitLeaders(broker, topic, partitions);
    }

    /**
     * Asks the seed broker for the topic's metadata (TopicMetadataRequest v0, as the tutorial's findLeader does)
     * until every partition has a leader; a broker that creates the topic on this request first answers
     * LEADER_NOT_AVAILABLE, so this retries like the client does.
     */
    public static List<PartitionMetadata> awaitLeaders(BrokerFixture broker, String topic, int partitions) {
        TopicMetadata metadata = Poll.until(
                "leaders of every partition of " + topic,
                () -> topicMetadata(broker, topic),
                tm -> tm.errorCode() == ErrorMapping.NoError()
                        && !tm.partitionsMetadata().isEmpty()
                        && tm.partitionsMetadata().stream()
                                .allMatch(p -> p.errorCode() == ErrorMapping.NoError() && p.leader() != null));
        assertEquals(partitions, metadata.partitionsMetadata().size(), "partitions of " + topic);
        List<PartitionMetadata> sorted = new ArrayList<>(metadata.partitionsMetadata());
        sorted.sort((a, b) -> Integer.compare(a.partitionId(), b.partitionId()));
        for (int p = 0; p < partitions; p++) {
            assertEquals(p, sorted.get(p).partitionId(), "partition ids of " + topic + " are 0.." + (partitions - 1));
        }
        return sorted;
    }

    public static TopicMetadata topicMetadata(BrokerFixture broker, String topic) {
        SimpleConsumer seed = consumer(broker.host(), broker.port(), "leaderLookup");
        try {
            TopicMetadataResponse response = seed.send(new TopicMetadataRequest(Collections.singletonList(topic)));
            for (TopicMetadata tm : response.topicsMetadata()) {
                if (tm.topic().equals(topic)) {
                    return tm;
                }
            }
            throw new AssertionError("metadata answer without topic " + topic + ": " + response.topicsMetadata());
        } finally {
            seed.close();
        }
    }

    /**
     * A consumer connected to the partition's leader the way the tutorial's PartitionConsumerTest does: the leader's
     * host from the metadata, at the seed port it was given. Also checks that the leader advertises that port.
     */
    public static SimpleConsumer leaderConsumer(BrokerFixture broker, String topic, int partition, String clientId) {
        PartitionMetadata leaderInfo = null;
        for (PartitionMetadata pm : topicMetadata(broker, topic).partitionsMetadata()) {
            if (pm.partitionId() == partition) {
                leaderInfo = pm;
            }
        }
        assertNotNull(leaderInfo, "metadata of " + topic + "-" + partition);
        assertNotNull(leaderInfo.leader(), "leader of " + topic + "-" + partition);
        assertEquals(broker.port(), leaderInfo.leader().port(), "the single broker advertises the port it listens on");
        return consumer(leaderInfo.leader().host(), broker.port(), clientId);
    }

    /** OffsetRequest v0 for one partition, as the tutorial's getLastOffset, but for any number of offsets. */
    public static OffsetResponse offsetResponse(
            SimpleConsumer consumer, String topic, int partition, long time, int maxOffsets) {
        TopicAndPartition tp = new TopicAndPartition(topic, partition);
        OffsetRequest request = new OffsetRequest(
                Map.of(tp, new PartitionOffsetRequestInfo(time, maxOffsets)),
                kafka.api.OffsetRequest.CurrentVersion(),
                consumer.clientId());
        return consumer.getOffsetsBefore(request);
    }

    public static long[] offsets(SimpleConsumer consumer, String topic, int partition, long time, int maxOffsets) {
        OffsetResponse response = offsetResponse(consumer, topic, partition, time, maxOffsets);
        assertEquals(
                ErrorMapping.NoError(),
                response.errorCode(topic, partition),
                "error code of OffsetRequest(time " + time + ") for " + topic + "-" + partition);
        return response.offsets(topic, partition);
    }

    public static long earliest(SimpleConsumer consumer, String topic, int partition) {
        long[] offsets = offsets(consumer, topic, partition, kafka.api.OffsetRequest.EarliestTime(), 1);
        assertEquals(1, offsets.length, "offsets for EarliestTime, max 1");
        return offsets[0];
    }

    public static long latest(SimpleConsumer consumer, String topic, int partition) {
        long[] offsets = offsets(consumer, topic, partition, kafka.api.OffsetRequest.LatestTime(), 1);
        assertEquals(1, offsets.length, "offsets for LatestTime, max 1");
        return offsets[0];
    }

    public static FetchResponse fetch(SimpleConsumer consumer, String topic, int partition, long offset) {
        return consumer.fetch(new FetchRequestBuilder()
                .clientId(consumer.clientId())
                .addFetch(topic, partition, offset, FETCH_BYTES)
                .build());
    }

    /**
     * The tutorial's fetch loop: from {@code from}, fetch, skip messages before the offset asked for (a compressed
     * set may start earlier), go on at nextOffset, until {@code expected} messages were read or the deadline.
     * Any error code fails. Returns what was read, in order.
     */
    public static List<Read> readFrom(SimpleConsumer consumer, String topic, int partition, long from, int expected) {
        List<Read> read = new ArrayList<>();
        long next = from;
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (read.size() < expected) {
            FetchResponse response = fetch(consumer, topic, partition, next);
            if (response.hasError()) {
                fail("fetch of " + topic + "-" + partition + " at " + next + " answered error code "
                        + response.errorCode(topic, partition));
            }
            int before = read.size();
            for (MessageAndOffset mo : response.messageSet(topic, partition)) {
                if (mo.offset() < next) {
                    continue;
                }
                read.add(new Read(
                        mo.offset(),
                        text(mo.message().hasKey() ? mo.message().key() : null),
                        text(mo.message().payload())));
                next = mo.nextOffset();
            }
            if (read.size() == before) {
                if (System.nanoTime() - deadline > 0) {
                    fail("read " + read.size() + " of " + expected + " messages of " + topic + "-" + partition
                            + " before the deadline; stuck at offset " + next);
                }
                pause();
            }
        }
        return read;
    }

    /**
     * Checks a topic as the tutorial's PartitionConsumerTest sees it: for every partition, the leader from
     * metadata, earliest offset 0, latest offset = the number of messages the partitioner sent there (waited for,
     * since an async producer's last batch may still be on its way), and a fetch loop from the earliest offset that
     * reads exactly those messages, in the order sent, at offsets 0, 1, 2, ... Returns the count per partition.
     */
    public static int[] assertTopicHolds(
            BrokerFixture broker, String topic, int partitions, List<KeyedMessage<String, String>> sent) {
        int[] counts = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            List<KeyedMessage<String, String>> expected = inPartition(sent, p, partitions);
            counts[p] = expected.size();
            SimpleConsumer consumer = leaderConsumer(broker, topic, p, "Client_" + topic + "_" + p);
            try {
                final int partition = p;
                Poll.until(
                        "latest offset of " + topic + "-" + p + " to reach " + expected.size(),
                        () -> latest(consumer, topic, partition),
                        latest -> latest >= expected.size());
                assertEquals(0, earliest(consumer, topic, p), "earliest offset of " + topic + "-" + p);
                assertEquals(expected.size(), latest(consumer, topic, p), "latest offset of " + topic + "-" + p);
                List<Read> read = readFrom(consumer, topic, p, 0, expected.size());
                assertReads(expected, 0, read, topic + "-" + p);
                // nothing more behind the last one: a fetch at the end is empty and not an error
                FetchResponse atEnd = fetch(consumer, topic, p, expected.size());
                assertEquals(
                        ErrorMapping.NoError(), atEnd.errorCode(topic, p), "fetch at the end of " + topic + "-" + p);
                assertEquals(
                        0,
                        atEnd.messageSet(topic, p).validBytes(),
                        "bytes after the last message of " + topic + "-" + p);
            } finally {
                consumer.close();
            }
        }
        return counts;
    }

    /** The reads are the expected messages, in order, at offsets firstOffset, firstOffset + 1, ... */
    public static void assertReads(
            List<KeyedMessage<String, String>> expected, long firstOffset, List<Read> read, String where) {
        assertEquals(expected.size(), read.size(), "messages read from " + where);
        long[] wantOffsets = new long[expected.size()];
        long[] gotOffsets = new long[read.size()];
        for (int i = 0; i < expected.size(); i++) {
            wantOffsets[i] = firstOffset + i;
            gotOffsets[i] = read.get(i).offset();
        }
        assertArrayEquals(wantOffsets, gotOffsets, "offsets of " + where + " are dense from " + firstOffset);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(
                    expected.get(i).key(), read.get(i).key(), "key at offset " + (firstOffset + i) + " of " + where);
            assertEquals(
                    expected.get(i).message(),
                    read.get(i).value(),
                    "value at offset " + (firstOffset + i) + " of " + where);
        }
    }

    public static String text(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
