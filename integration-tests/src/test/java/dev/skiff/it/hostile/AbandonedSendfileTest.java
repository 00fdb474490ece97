package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Descriptors;
import dev.skiff.it.Poll;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.EmbeddedSkiff;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that ask for megabytes of log and hang up part-way through the answer, with a tiny receive buffer so
 * the broker is mid-send: every file region of theirs gives its descriptor back (the native transport leases
 * the log's descriptor for the length of a send), other clients are served, and once the broker stops no
 * descriptor of it points into its data; it restarts with every record.
 */
class AbandonedSendfileTest {

    private static final int RECORDS = 6_000;
    private static final int VALUE_BYTES = 1_024;
    private static final int CLIENTS = 40;

    @TempDir
    Path dir;

    @Test
    void halfSentFetchesOfClosedConnectionsLeakNoDescriptor() throws Exception {
        Path data = dir.resolve("data");
        String topic = "sent";
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().dataDir(data).start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic(topic, 1, Map.of("segment.bytes", Integer.toString(1 << 20)));
            produce(broker.bootstrapServers(), topic);

            for (int c = 0; c < CLIENTS; c++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4 << 10); // set before connecting: the window stays small
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.port()));
                // from a different segment each time, up to 8 MiB: far more than the socket buffers hold
                long offset = (long) (c % 6) * (RECORDS / 6);
                s.getOutputStream()
                        .write(RequestFrames.frame(
                                ApiKeys.FETCH, (short) 12, c + 1, RequestFrames.fetch(topic, 0, offset, 0, 8 << 20)));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                int wanted = c % 2 == 0 ? 64 : 0; // half read a little, half nothing at all
                for (int got = 0; got < wanted; ) got += Math.max(0, in.read(new byte[wanted - got]));
                s.setSoLinger(true, 0); // a reset, not a polite close
                s.close();
            }

            survival.assertServed();
            assertEquals(RECORDS, consumeAll(broker.bootstrapServers(), topic), "every record, to a normal consumer");
        }
        Poll.until(
                "no descriptor of this process left in the stopped broker's data",
                () -> Descriptors.countUnder(data),
                n -> n == 0);

        try (EmbeddedSkiff again = EmbeddedSkiff.builder().dataDir(data).start()) {
            assertEquals(RECORDS, consumeAll(again.bootstrapServers(), topic), "every record after a restart");
        }
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 5);
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) p.send(new ProducerRecord<>(topic, 0, null, new byte[VALUE_BYTES]));
            p.flush();
        }
    }

    private static int consumeAll(String bootstrap, String topic) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "max.partition.fetch.bytes", 4 << 20);
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen < RECORDS && System.nanoTime() < deadline)
                seen += c.poll(Duration.ofMillis(500)).count();
        }
        assertTrue(seen <= RECORDS);
        return seen;
    }
}
