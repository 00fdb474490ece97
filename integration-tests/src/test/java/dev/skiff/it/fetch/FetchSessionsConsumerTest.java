package dev.skiff.it.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.control.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A kafka-clients 4.x consumer of 2,000 partitions: after one full fetch its requests become incremental
 * (only changed partitions named) and the answers carry only partitions with news. Request sizes are
 * measured by re-encoding each decoded request at its version, answer sizes by the partitions they carry.
 */
class FetchSessionsConsumerTest {

    private static final String TOPIC = "wide";
    private static final int PARTITIONS = 2000;

    private static EmbeddedSkiff broker;

    /** One fetch as the broker saw it and answered it. */
    record Seen(int sessionId, int epoch, int partitionsAsked, long requestBytes, int answeredSession, int answered) {}

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder().inMemory().start();
        broker.createTopic(TOPIC, PARTITIONS);
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    private static void produce(int partition, int count) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all");
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++)
                p.send(new ProducerRecord<>(TOPIC, partition, "k", "v" + i)).get();
        }
    }

    @Test
    void fetchesBecomeIncrementalAndFarSmaller() throws Exception {
        for (int p = 0; p < 10; p++) produce(p * 199, 3);
        List<Seen> seen = new CopyOnWriteArrayList<>();
        broker.control(ApiKeys.FETCH, (ctx, message) -> {
            FetchRequestData request = (FetchRequestData) message;
            ProtocolWriter w = new ProtocolWriter();
            request.write(w, ctx.apiVersion());
            int asked = request.topics().stream()
                    .mapToInt(t -> t.partitions().size())
                    .sum();
            return Reply.keep().thenEdit(answer -> {
                FetchResponseData r = (FetchResponseData) answer;
                int answered = r.responses().stream()
                        .mapToInt(t -> t.partitions().size())
                        .sum();
                seen.add(new Seen(
                        request.sessionId(), request.sessionEpoch(), asked, w.size(), r.sessionId(), answered));
                return answer;
            });
        });

        Map<String, Object> props = Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "auto.offset.reset",
                "earliest",
                "fetch.max.wait.ms",
                50,
                "enable.auto.commit",
                false);
        int read = 0;
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            c.assign(IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(TOPIC, p))
                    .toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read < 30 && System.nanoTime() < deadline)
                read += c.poll(Duration.ofMillis(100)).count();
            assertEquals(30, read, "every record read");
            produce(1500, 5);
            while (read < 35 && System.nanoTime() < deadline)
                read += c.poll(Duration.ofMillis(100)).count();
            assertEquals(35, read, "the records written later read too");
            // a few quiet fetches more
            int before = seen.size();
            while (seen.size() < before + 5 && System.nanoTime() < deadline) c.poll(Duration.ofMillis(100));
        }

        Seen full = seen.stream().filter(s -> s.epoch() == 0).findFirst().orElseThrow();
        assertTrue(full.partitionsAsked() >= PARTITIONS / 2, "the full fetch names the partitions: " + full);
        assertNotEquals(0, full.answeredSession(), "the broker opened a session");
        assertEquals(full.partitionsAsked(), full.answered(), "a full fetch is answered in full");
        List<Seen> incremental = new ArrayList<>(seen.stream()
                .filter(s -> s.sessionId() == full.answeredSession() && s.epoch() > 0)
                .toList());
        assertTrue(incremental.size() >= 5, "the consumer went on incrementally: " + seen.size() + " fetches");
        long biggestFull = seen.stream()
                .filter(s -> s.epoch() == 0)
                .mapToLong(Seen::requestBytes)
                .max()
                .orElseThrow();
        List<Seen> quiet = incremental.subList(incremental.size() - 5, incremental.size());
        for (Seen s : quiet) {
            assertTrue(
                    s.requestBytes() * 20 < biggestFull,
                    "an incremental request of " + s.requestBytes() + " bytes beside a full one of " + biggestFull);
            assertTrue(s.answered() < 10, "a quiet incremental answer carries few partitions: " + s);
            assertEquals(full.answeredSession(), s.answeredSession());
        }
        System.out.printf(
                "fetch sessions: full request %d bytes (%d partitions); last incremental requests %s bytes,"
                        + " answering %s partitions%n",
                biggestFull,
                full.partitionsAsked(),
                quiet.stream().map(Seen::requestBytes).toList(),
                quiet.stream().map(Seen::answered).toList());
    }
}
