package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.it.Descriptors;
import dev.skiff.it.Poll;
import dev.skiff.it.durability.ChildBroker;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.ResponseHeaderData;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Segments deleted while their bytes are on their way to a client. Slow readers (4 KiB receive buffers) ask for
 * the first segment in one fetch, an answer larger than any socket buffer; while the broker is stuck mid-answer,
 * DeleteRecords removes that segment. The deleted file stays readable through the descriptor the answer leased
 * for the length of its send (on either transport), so every record arrives whole and in order even with no
 * delete delay; other clients are served meanwhile; once the answers are read, no descriptor of the broker
 * points at a deleted file; and a restart keeps the log start the deletion set and every record after it.
 */
class DeletedWhileSendingTest {

    private static final int VALUE_BYTES = 1_024;
    /** The kernel's largest send buffer (net.ipv4.tcp_wmem, 4 MiB by default): an answer larger is sent piecemeal. */
    private static final int SEND_BUFFER_MAX = sendBufferMax();
    /** Segments 2 MiB larger than that: one answer of the first is more than the broker's socket can hold. */
    private static final int SEGMENT_BYTES = Math.max(6 << 20, SEND_BUFFER_MAX + (2 << 20));
    /** In the second segment, whose records number as the first's (~1,040 bytes each): the first is deleted whole. */
    private static final int DELETE_BEFORE = SEGMENT_BYTES / 1_040 + 1_000;

    private static final int RECORDS = DELETE_BEFORE + 1_000;

    private static final int SLOW_CLIENTS = 2;
    /** Read of each slow answer before the deletion: well past its header, into the segment's records. */
    private static final int FIRST_BYTES = 64 << 10;
    /**
     * No delete delay at all: a deleted segment's descriptor is closed as soon as nothing uses it. The answers
     * still arrive, because each was already being sent and its descriptor is leased until the send ends.
     */
    private static final int DELETE_DELAY_MS = 0;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void deletedSegmentsStillArriveWholeAndAreThenLetGo(String transport) throws Exception {
        Path data = dir.resolve("data");
        String topic = "retired";
        TopicPartition tp = new TopicPartition(topic, 0);
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "Netty's native epoll does not load here");
        assumeTrue(
                SEND_BUFFER_MAX <= 32 << 20, "socket buffers of " + SEND_BUFFER_MAX + " bytes: too much to fill here");
        List<String> jvm = List.of("-Dskiff.transport=" + transport, "-Dskiff.log.delete.delay.ms=" + DELETE_DELAY_MS);
        List<String> flags = List.of("--topic", topic + ":1", "--override", "log.segment.bytes=" + SEGMENT_BYTES);
        try (ChildBroker broker = ChildBroker.start(jvm, data, 0, flags, 0)) {
            String bootstrap = "127.0.0.1:" + broker.awaitPort(Duration.ofSeconds(60));
            produce(bootstrap, topic);

            List<Socket> slow = new ArrayList<>();
            for (int c = 0; c < SLOW_CLIENTS; c++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4 << 10); // before connecting, so the window stays small
                s.connect(new InetSocketAddress(
                        InetAddress.getLoopbackAddress(),
                        Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1))));
                s.setSoTimeout(60_000);
                // the first segment whole in one answer (a fetch reads one segment): more than the buffers hold
                s.getOutputStream()
                        .write(RequestFrames.frame(
                                ApiKeys.FETCH,
                                (short) 12,
                                c + 1,
                                RequestFrames.fetch(topic, 0, 0, 0, 2 * SEGMENT_BYTES)));
                s.getOutputStream().flush();
                slow.add(s);
            }
            // the deletion must come after the answers began: their first records in hand show that it does
            List<byte[]> begun = new ArrayList<>();
            for (Socket s : slow) begun.add(firstBytes(s));

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(DELETE_BEFORE)))
                        .all()
                        .get();
                long start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                        .partitionResult(tp)
                        .get()
                        .offset();
                assertEquals(DELETE_BEFORE, start, "the log starts where the deletion put it");
            }
            assertTrue(
                    Descriptors.deletedUnder(broker.pid(), data) > 0,
                    "the answers' segments are deleted while the answers are still being sent");
            assertEquals(
                    RECORDS - DELETE_BEFORE,
                    consumeFromStart(bootstrap, topic, RECORDS - DELETE_BEFORE),
                    "another client is served meanwhile");

            for (int c = 0; c < SLOW_CLIENTS; c++) {
                try (Socket s = slow.get(c)) {
                    assertWholeLog(s, begun.get(c), c + 1);
                }
            }
            Poll.until(
                    "no descriptor of the broker left on a deleted file once the answers are read",
                    () -> Descriptors.deletedUnder(broker.pid(), data),
                    n -> n == 0);
            broker.stop();
        }
        try (ChildBroker again = ChildBroker.start(jvm, data, 0, flags, 0)) {
            String bootstrap = "127.0.0.1:" + again.awaitPort(Duration.ofSeconds(60));
            assertEquals(
                    RECORDS - DELETE_BEFORE,
                    consumeFromStart(bootstrap, topic, RECORDS - DELETE_BEFORE),
                    "after a restart: the records from the deletion point on, and none before it");
        }
    }

    /**
     * The size and first {@link #FIRST_BYTES} of a slow client's answer: more than its header, so the broker is
     * sending the segment's bytes by the time this returns.
     */
    private static byte[] firstBytes(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int size = in.readInt();
        assertTrue(size > SEND_BUFFER_MAX, "an answer larger than a socket buffers: " + size + " bytes");
        byte[] first = new byte[4 + FIRST_BYTES];
        ByteBuffer.wrap(first).putInt(size);
        in.readFully(first, 4, FIRST_BYTES);
        return first;
    }

    /**
     * Reads one slow client's answer to the end: the first segment's records from offset 0, in order, each value
     * intact, all of them deleted since the answer was made. {@code first} is what {@link #firstBytes} read of it.
     */
    private static void assertWholeLog(Socket s, byte[] first, int correlationId) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] frame = new byte[ByteBuffer.wrap(first).getInt()];
        System.arraycopy(first, 4, frame, 0, FIRST_BYTES);
        in.readFully(frame, FIRST_BYTES, frame.length - FIRST_BYTES);
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        ResponseHeaderData header = new ResponseHeaderData(buf, ApiKeys.FETCH.responseHeaderVersion((short) 12));
        assertEquals(correlationId, header.correlationId());
        FetchResponseData answer = new FetchResponseData(buf, (short) 12);
        FetchResponseData.PartitionData partition =
                answer.responses().get(0).partitions().get(0);
        assertEquals(0, partition.errorCode());
        ByteBuf records = ((BufferRecords) partition.records()).buf();
        assertTrue(
                records.readableBytes() > SEND_BUFFER_MAX,
                "an answer the broker was still sending: " + records.readableBytes() + " bytes");
        MemoryRecords batches = MemoryRecords.readableRecords(records.nioBuffer());
        long next = 0;
        for (RecordBatch batch : batches.batches()) {
            batch.ensureValid(); // the CRC over every byte the batch holds
            for (Record r : batch) {
                assertEquals(next, r.offset(), "records in order, none missing");
                assertArrayEquals(value((int) next), Utils.toArray(r.value()), "value of record " + next);
                next++;
            }
        }
        assertTrue(next > 0 && next <= DELETE_BEFORE, "records of the deleted segment only: " + next);
    }

    private static int sendBufferMax() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem"))
                    .trim()
                    .split("\\s+");
            return Integer.parseInt(wmem[2]);
        } catch (IOException | RuntimeException e) {
            return 4 << 20;
        }
    }

    private static byte[] value(int i) {
        byte[] v = new byte[VALUE_BYTES];
        Arrays.fill(v, (byte) i);
        ByteBuffer.wrap(v).putInt(i);
        return v;
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "acks", "all", "linger.ms", 5);
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) p.send(new ProducerRecord<>(topic, 0, null, value(i)));
            p.flush();
        }
    }

    /**
     * Reads from the log's start until {@code atMost} records or a quiet spell; checks each value, and that none
     * comes from before the deletion (the first polled would).
     */
    private static int consumeFromStart(String bootstrap, String topic, int atMost) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "max.partition.fetch.bytes", 1 << 20);
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int quiet = 0;
            while (seen < atMost && quiet < 6 && System.nanoTime() < deadline) {
                var got = c.poll(Duration.ofMillis(500));
                quiet = got.isEmpty() ? quiet + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : got) {
                    assertTrue(r.offset() >= DELETE_BEFORE, "no record from before the deletion: " + r.offset());
                    assertArrayEquals(value((int) r.offset()), r.value());
                    seen++;
                }
            }
        }
        return seen;
    }
}
