package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.ApiKeys;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that pipeline Fetch requests with large answers and never read them, against a broker in a child JVM
 * with a small heap and a 64 MB direct-memory cap. Without back-pressure every answer is queued on the
 * connection (about 400 MB here) and the broker runs out of direct memory. With it, the broker stops reading
 * such a connection while its unsent answers are above the water mark: its direct memory stays far below the
 * cap, another client is served meanwhile, and once the pipeliners read, each gets every answer in order.
 */
class PipeliningMemoryTest {

    private static final int DIRECT_MB = 64;
    private static final int RECORD_BYTES = 100 * 1024;
    private static final int ANSWER_BYTES = 1 << 20;
    private static final int PIPELINERS = 2;
    private static final int REQUESTS_EACH = 200;

    @TempDir
    Path dataDir;

    @Test
    void answersNobodyReadsDoNotExhaustDirectMemory() throws Exception {
        try (MemoryCappedBroker broker = MemoryCappedBroker.start(dataDir, DIRECT_MB)) {
            MemoryCappedBroker.Baseline baseline = MemoryCappedBroker.Baseline.before(broker);
            broker.createTopic("bulk", 1, Map.of());
            fill(broker.bootstrap(), "bulk", 4 * ANSWER_BYTES / RECORD_BYTES);

            List<RawConnection> pipeliners = new ArrayList<>();
            for (int c = 0; c < PIPELINERS; c++) {
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = 1; i <= REQUESTS_EACH; i++) {
                    // v3: answers down-converted to magic 1, so they are buffers, not file regions
                    requests.write(RequestFrames.frame(
                            ApiKeys.FETCH, (short) 3, i, RequestFrames.fetch("bulk", 0, 0, 0, ANSWER_BYTES)));
                }
                pipeliners.add(new RawConnection("127.0.0.1", broker.port()).send(requests.toByteArray()));
            }

            // while nobody reads those answers, another client is served
            baseline.assertServed();
            long direct = broker.directMemoryUsed();
            System.out.println("PipeliningMemoryTest: broker direct memory with " + PIPELINERS * REQUESTS_EACH
                    + " unread answers of ~1 MB queued by clients: " + direct / 1024 + " KB (cap " + DIRECT_MB
                    + " MB)");
            assertTrue(direct < 32L << 20, "direct memory in use: " + direct);

            // nothing was dropped: each pipeliner gets all its answers, in order, once it reads
            for (RawConnection c : pipeliners) {
                for (int i = 1; i <= REQUESTS_EACH; i++) {
                    RawConnection.Answer a = c.readAnswer();
                    assertEquals(i, a.correlationId());
                    assertTrue(a.body().remaining() > ANSWER_BYTES / 2, "a full answer, not an error");
                }
                c.close();
            }
            assertFalse(broker.output().contains("OutOfMemoryError"), broker.output());
            assertFalse(broker.output().contains("OutOfDirectMemoryError"), broker.output());
            baseline.assertServedAndRestartsIntact();
        }
    }

    private static void fill(String bootstrap, String topic, int records) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "request.timeout.ms", 20_000);
        String value = "x".repeat(RECORD_BYTES);
        try (KafkaProducer<String, String> p =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) p.send(new ProducerRecord<>(topic, 0, null, value));
            p.flush();
        }
    }
}
