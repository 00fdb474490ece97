package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Descriptors;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.CreatePartitionsRequestData;
import dev.skiff.protocol.message.CreatePartitionsResponseData;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.CreateTopicsResponseData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.server.EmbeddedSkiff;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Topic creation with names and counts that reach the file system's limits, and auto-creation asked for
 * thousands of topics at once. Each topic either works and survives a restart, or is refused with an error
 * and does not exist, never in between; the broker's open descriptors stay bounded.
 */
class TopicCreationHostileTest {

    private static final short METADATA = 3, CREATE_TOPICS = 19, CREATE_PARTITIONS = 37;
    private static final short METADATA_V = 4, CREATE_TOPICS_V = 4, CREATE_PARTITIONS_V = 1; // pre-flexible

    /** One request over a raw socket (header v1), its answer's body (header v0: the correlation id only). */
    private static io.netty.buffer.ByteBuf call(Socket s, short api, short version, ApiMessage body)
            throws IOException {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api)
                .setRequestApiVersion(version)
                .setCorrelationId(7)
                .setClientId("hostile")
                .write(w, (short) 1);
        body.write(w, version);
        byte[] payload = w.toByteArray();
        var out = new java.io.DataOutputStream(s.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        io.netty.buffer.ByteBuf buf = Unpooled.wrappedBuffer(answer);
        assertEquals(7, buf.readInt(), "correlation id");
        return buf;
    }

    private static Socket connect(EmbeddedSkiff broker) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port());
        s.setSoTimeout(60_000);
        return s;
    }

    /** Name to error code of a CreateTopics v4 of these names with {@code partitions} partitions each. */
    private static Map<String, Short> createTopics(EmbeddedSkiff broker, List<String> names, int partitions)
            throws IOException {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (String n : names)
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName(n)
                            .setNumPartitions(partitions)
                            .setReplicationFactor((short) 1));
        try (Socket s = connect(broker)) {
            CreateTopicsResponseData r =
                    new CreateTopicsResponseData(call(s, CREATE_TOPICS, CREATE_TOPICS_V, req), CREATE_TOPICS_V);
            Map<String, Short> out = new LinkedHashMap<>();
            for (var t : r.topics()) out.put(t.name(), t.errorCode());
            return out;
        }
    }

    /** Name to (error code, partition count) of a Metadata v4 naming these topics. */
    private static Map<String, int[]> metadata(EmbeddedSkiff broker, List<String> names, boolean autoCreate)
            throws IOException {
        MetadataRequestData req = new MetadataRequestData().setAllowAutoTopicCreation(autoCreate);
        if (names == null) req.setTopics(null);
        else for (String n : names) req.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(n));
        try (Socket s = connect(broker)) {
            MetadataResponseData r = new MetadataResponseData(call(s, METADATA, METADATA_V, req), METADATA_V);
            Map<String, int[]> out = new LinkedHashMap<>();
            for (var t : r.topics())
                out.put(t.name(), new int[] {t.errorCode(), t.partitions().size()});
            return out;
        }
    }

    /** Every topic the broker lists, with its partition count. */
    private static Map<String, Integer> allTopics(EmbeddedSkiff broker) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        metadata(broker, null, false).forEach((n, e) -> out.put(n, e[1]));
        return out;
    }

    /** Error codes, in request order, of a CreatePartitions v1 growing these topics to these counts. */
    private static List<Short> createPartitions(EmbeddedSkiff broker, List<Map.Entry<String, Integer>> counts)
            throws IOException {
        CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs(30_000);
        for (Map.Entry<String, Integer> c : counts)
            req.topics()
                    .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                            .setName(c.getKey())
                            .setCount(c.getValue())
                            .setAssignments(null));
        try (Socket s = connect(broker)) {
            var r = new CreatePartitionsResponseData(
                    call(s, CREATE_PARTITIONS, CREATE_PARTITIONS_V, req), CREATE_PARTITIONS_V);
            List<Short> out = new ArrayList<>();
            for (var t : r.results()) {
                if (t.errorCode() == Errors.UNKNOWN_SERVER_ERROR.code())
                    assertEquals(null, t.errorMessage(), "Kafka's answer at the bound has no message");
                out.add(t.errorCode());
            }
            return out;
        }
    }

    @Test
    void hugeCreatePartitionsAreRefusedWithoutAllocatingAndNothingIsHalfGrown() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 100; i++) names.add("huge-" + i);
            for (short e : createTopics(broker, names, 1).values()) assertEquals(Errors.NONE.code(), e);
            short unknown = Errors.UNKNOWN_SERVER_ERROR.code();

            // one topic to Integer.MAX_VALUE, or past what Kafka's placer can list, fails the whole request
            assertEquals(List.of(unknown), createPartitions(broker, List.of(Map.entry("huge-0", Integer.MAX_VALUE))));
            assertEquals(
                    List.of(unknown, unknown, unknown),
                    createPartitions(
                            broker,
                            List.of(
                                    Map.entry("huge-1", 2),
                                    Map.entry("huge-0", 50_000_000),
                                    Map.entry("no-such-topic", 3))));
            // counts whose sum wraps the int range
            assertEquals(
                    List.of(unknown, unknown, unknown),
                    createPartitions(
                            broker,
                            List.of(
                                    Map.entry("huge-0", 1_000_000_000),
                                    Map.entry("huge-1", 1_000_000_000),
                                    Map.entry("huge-2", 1_000_000_000))));
            // one topic just past the bound (10,001 new partitions) fails alone; the rest are checked as usual
            assertEquals(
                    List.of(unknown, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), Errors.INVALID_PARTITIONS.code()),
                    createPartitions(
                            broker,
                            List.of(
                                    Map.entry("huge-3", 10_002),
                                    Map.entry("no-such-topic", 3),
                                    Map.entry("huge-4", 1))));
            Map<String, Integer> untouched = allTopics(broker);
            for (String n : names) assertEquals(1, untouched.get(n), "refused growths made nothing: " + n);

            // 100 topics adding 200 each: the first 50 in Kafka's order fit the 10,000, the other 50 fail
            List<Map.Entry<String, Integer>> all = new ArrayList<>();
            for (String n : names) all.add(Map.entry(n, 201));
            List<Short> answers = createPartitions(broker, all);
            assertEquals(
                    50, answers.stream().filter(e -> e == Errors.NONE.code()).count(), "grown: " + answers);
            assertEquals(50, answers.stream().filter(e -> e == unknown).count(), "refused: " + answers);
            Map<String, Integer> before = allTopics(broker);
            for (int i = 0; i < names.size(); i++)
                assertEquals(
                        answers.get(i) == Errors.NONE.code() ? 201 : 1,
                        before.get(names.get(i)),
                        "partitions of " + names.get(i) + " after " + answers.get(i));
            produce(broker, "huge-0", 0, "still-here");

            survival.assertServedAndRestartsIntact();
            assertEquals(before, allTopics(broker), "the same topics, with the same partitions, after a restart");
            assertEquals(List.of("still-here"), consume(broker, "huge-0", 0, 1));
        }
    }

    private static String name(int length, char fill) {
        return "t" + String.valueOf(fill).repeat(length - 1);
    }

    @Test
    void createTopicsWithNamesUpToTheFileSystemLimitWorksDurablyOrIsRefused() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            List<String> names = new ArrayList<>();
            for (int len = 240; len <= 255; len++) names.add(name(len, 'a'));
            names.addAll(List.of(
                    "...",
                    ".hidden",
                    "a-0",
                    "a-0-0",
                    "x.y",
                    "_",
                    "-",
                    "a b",
                    "a/b",
                    "ümlaut",
                    ".",
                    "..",
                    "..." + ".".repeat(246),
                    ".skiff"));
            Map<String, Short> answers = createTopics(broker, names, 3);
            for (String n : names) {
                boolean valid = n.length() <= 249 && n.matches("[a-zA-Z0-9._-]+") && !n.equals(".") && !n.equals("..");
                assertEquals(
                        valid ? Errors.NONE.code() : Errors.INVALID_TOPIC_EXCEPTION.code(),
                        answers.get(n),
                        "CreateTopics of a name of " + n.length() + " characters: " + n);
            }
            Set<String> created = answers.entrySet().stream()
                    .filter(e -> e.getValue() == 0)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());

            // a count whose last partition directory could not fit a 255-byte name is over Kafka's 10,000
            // partitions per request first: refused up front, nothing made
            String longest = name(249, 'b');
            assertEquals(
                    Errors.POLICY_VIOLATION.code(),
                    createTopics(broker, List.of(longest), 100_001).get(longest));
            assertEquals(
                    Errors.NONE.code(),
                    createTopics(broker, List.of(longest), 2).get(longest));
            created.add(longest);
            // growing it that far is over Kafka's 10,000 new partitions per request first: refused, nothing made
            assertEquals(
                    List.of(Errors.UNKNOWN_SERVER_ERROR.code()),
                    createPartitions(broker, List.of(Map.entry(longest, 100_001))));
            assertEquals(List.of(Errors.NONE.code()), createPartitions(broker, List.of(Map.entry(name(249, 'a'), 5))));

            // an acknowledged record in the longest name
            produce(broker, longest, 1, "at-the-limit");
            Map<String, Integer> before = allTopics(broker);
            for (String n : created) assertTrue(before.containsKey(n), "listed: " + n);
            for (String n : names) if (!created.contains(n)) assertTrue(!before.containsKey(n), "not listed: " + n);
            assertEquals(2, before.get(longest));
            assertEquals(5, before.get(name(249, 'a')));

            survival.assertServedAndRestartsIntact();
            assertEquals(before, allTopics(broker), "the same topics, with the same partitions, after a restart");
            assertEquals(List.of("at-the-limit"), consume(broker, longest, 1, 1));
        }
    }

    @Test
    void autoCreationByMetadataAndProducersWithLongNamesWorksDurablyOrIsRefused() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            List<String> names = new ArrayList<>();
            for (int len = 240; len <= 255; len++) names.add(name(len, 'm'));
            Map<String, int[]> answers = metadata(broker, names, true);
            for (String n : names) {
                short expected = n.length() <= 249 ? Errors.NONE.code() : Errors.INVALID_TOPIC_EXCEPTION.code();
                assertEquals(
                        expected, (short) answers.get(n)[0], "auto-created by Metadata, " + n.length() + " characters");
            }
            // a producer auto-creating a 249-character topic on its own
            String produced = name(249, 'p');
            produce(broker, produced, 0, "auto");
            Map<String, Integer> before = allTopics(broker);
            for (String n : names) assertEquals(n.length() <= 249, before.containsKey(n), n.length() + " characters");
            survival.assertServedAndRestartsIntact();
            assertEquals(before, allTopics(broker));
            assertEquals(List.of("auto"), consume(broker, produced, 0, 1));
        }
    }

    @Test
    void oneMetadataRequestNamingTwoThousandNewTopicsIsBoundedInTopicsAndDescriptors() throws IOException {
        int fileCap = 64;
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("skiff.log.open.files.max", Integer.toString(fileCap))
                .property("skiff.auto.create.partitions.max", "350")
                .start()) {
            Survival survival = Survival.before(broker);
            int existing = allTopics(broker).values().stream()
                    .mapToInt(Integer::intValue)
                    .sum();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 2000; i++) names.add("flood-" + i);

            Map<String, int[]> first = metadata(broker, names, true);
            assertEquals(
                    100, count(first, Errors.NONE), "the per-request bound (skiff.auto.create.topics.per.request.max)");
            assertEquals(1900, count(first, Errors.THROTTLING_QUOTA_EXCEEDED));

            // more requests create more, until the broker-wide bound
            Map<String, int[]> last = first;
            for (int i = 0; i < 4; i++) last = metadata(broker, names, true);
            int topics = (int) allTopics(broker).keySet().stream()
                    .filter(n -> n.startsWith("flood-"))
                    .count();
            assertEquals(350 - existing, topics, "auto-creation stops at skiff.auto.create.partitions.max");
            assertTrue(count(last, Errors.POLICY_VIOLATION) > 0, "past the bound: POLICY_VIOLATION");
            assertEquals(topics, count(last, Errors.NONE), "those created are served");

            long fds = Descriptors.countUnder(broker.dataDir());
            assertTrue(fds <= fileCap + 8, topics + " topics hold " + fds + " descriptors; the cap is " + fileCap);

            survival.assertServedAndRestartsIntact();
            assertEquals(
                    topics,
                    allTopics(broker).keySet().stream()
                            .filter(n -> n.startsWith("flood-"))
                            .count());
            assertTrue(Descriptors.countUnder(broker.dataDir()) <= fileCap + 8, "after the restart too");
        }
    }

    /** Name to error code of a CreateTopics v4 of these (name, partitions) pairs, in the order given. */
    private static List<Map.Entry<String, Short>> createTopics(
            EmbeddedSkiff broker, List<Map.Entry<String, Integer>> topics) throws IOException {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (Map.Entry<String, Integer> t : topics)
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName(t.getKey())
                            .setNumPartitions(t.getValue())
                            .setReplicationFactor((short) 1));
        try (Socket s = connect(broker)) {
            CreateTopicsResponseData r =
                    new CreateTopicsResponseData(call(s, CREATE_TOPICS, CREATE_TOPICS_V, req), CREATE_TOPICS_V);
            List<Map.Entry<String, Short>> out = new ArrayList<>();
            for (var t : r.topics()) out.add(Map.entry(t.name(), t.errorCode()));
            return out;
        }
    }

    /**
     * One CreateTopics of thousands of topics is created whole (one save for all); duplicates are refused once
     * each; a request asking for more than 10,000 partitions in all, by one huge count, by counts whose int sum
     * would wrap, or by ten thousand and one topics, is refused whole with POLICY_VIOLATION as Kafka's controller
     * refuses it, and creates nothing; descriptors stay bounded, and everything created is back after a restart.
     */
    @Test
    void createTopicsOfThousandsOfTopicsHugeCountsAndDuplicates() throws IOException {
        int fileCap = 64;
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("skiff.log.open.files.max", Integer.toString(fileCap))
                .start()) {
            Survival survival = Survival.before(broker);
            List<Map.Entry<String, Integer>> many = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) many.add(Map.entry("many-" + i, 3));
            many.add(Map.entry("twice", 1));
            many.add(Map.entry("twice", 100_000)); // duplicates count for nothing: not over the bound
            many.add(Map.entry("none", 0));
            many.add(Map.entry("negative", -7));
            List<Map.Entry<String, Short>> answers = createTopics(broker, many);
            assertEquals(3_003, answers.size(), "one answer per name");
            Map<String, Short> byName = new LinkedHashMap<>();
            answers.forEach(e -> byName.put(e.getKey(), e.getValue()));
            for (int i = 0; i < 3_000; i++) assertEquals(Errors.NONE.code(), byName.get("many-" + i), "many-" + i);
            assertEquals(Errors.INVALID_REQUEST.code(), byName.get("twice"));
            assertEquals(Errors.INVALID_PARTITIONS.code(), byName.get("none"));
            assertEquals(Errors.INVALID_PARTITIONS.code(), byName.get("negative"));

            List<List<Map.Entry<String, Integer>>> refused = List.of(
                    List.of(Map.entry("huge", Integer.MAX_VALUE), Map.entry("small", 1)),
                    List.of(Map.entry("wrap-a", 2_000_000_000), Map.entry("wrap-b", 2_000_000_000)),
                    List.of(Map.entry("edge", 10_001), Map.entry("bad/name", 1)));
            for (List<Map.Entry<String, Integer>> req : refused) {
                for (Map.Entry<String, Short> a : createTopics(broker, req))
                    assertEquals(Errors.POLICY_VIOLATION.code(), a.getValue(), a.getKey() + " in " + req);
            }
            List<Map.Entry<String, Integer>> tenThousandAndOne = new ArrayList<>();
            for (int i = 0; i <= 10_000; i++) tenThousandAndOne.add(Map.entry("one-of-many-" + i, 1));
            for (Map.Entry<String, Short> a : createTopics(broker, tenThousandAndOne))
                assertEquals(Errors.POLICY_VIOLATION.code(), a.getValue(), a.getKey());

            Map<String, Integer> before = allTopics(broker);
            for (String n : List.of("huge", "small", "wrap-a", "wrap-b", "edge", "one-of-many-0", "none"))
                assertTrue(!before.containsKey(n), "not created: " + n);
            assertEquals(
                    3_000,
                    before.keySet().stream().filter(n -> n.startsWith("many-")).count());
            assertEquals(1, before.get("twice") == null ? 1 : 0, "a duplicated name is not created");
            long fds = Descriptors.countUnder(broker.dataDir());
            assertTrue(fds <= fileCap + 8, "9,000 new partitions hold " + fds + " descriptors; the cap is " + fileCap);

            produce(broker, "many-2999", 2, "last of many");
            survival.assertServedAndRestartsIntact();
            assertEquals(before, allTopics(broker), "the same topics, with the same partitions, after a restart");
            assertEquals(List.of("last of many"), consume(broker, "many-2999", 2, 1));
        }
    }

    private static int count(Map<String, int[]> answers, Errors e) {
        return (int) answers.values().stream().filter(a -> a[0] == e.code()).count();
    }

    private static Map<String, Object> common(EmbeddedSkiff broker) {
        return Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "request.timeout.ms",
                20_000,
                "default.api.timeout.ms",
                30_000);
    }

    static void produce(EmbeddedSkiff broker, String topic, int partition, String value) {
        Map<String, Object> props = new java.util.HashMap<>(common(broker));
        props.put("acks", "all");
        props.put("max.block.ms", 30_000);
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, partition, "k", value)).get();
        } catch (Exception e) {
            throw new AssertionError("produce to " + topic + " failed", e);
        }
    }

    static List<String> consume(EmbeddedSkiff broker, String topic, int partition, int expected) {
        Map<String, Object> props = new java.util.HashMap<>(common(broker));
        props.put("enable.auto.commit", false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }
}
