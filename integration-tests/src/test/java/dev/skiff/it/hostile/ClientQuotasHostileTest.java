package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterClientQuotasRequestData;
import dev.skiff.protocol.message.AlterClientQuotasRequestData.EntityData;
import dev.skiff.protocol.message.AlterClientQuotasRequestData.EntryData;
import dev.skiff.protocol.message.AlterClientQuotasRequestData.OpData;
import dev.skiff.protocol.message.AlterClientQuotasResponseData;
import dev.skiff.protocol.message.DescribeClientQuotasRequestData;
import dev.skiff.protocol.message.DescribeClientQuotasResponseData;
import dev.skiff.server.EmbeddedSkiff;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlterClientQuotas and DescribeClientQuotas from a hostile client over a raw socket: huge entity names, values at
 * the ends of double (NaN, infinities, the smallest and largest), thousands of ops on one entity, more entities
 * than {@code skiff.quotas.entities.max}, host names where an IP belongs (no DNS lookup is made), and a truncated
 * frame, a quota of one byte per second. Each is answered with Kafka's error for it, nothing refused is stored, the store stays within its cap,
 * and the broker serves and restarts with the quotas it accepted.
 */
class ClientQuotasHostileTest {

    private static final int MAX_ENTITIES = 300;

    @TempDir
    Path dir;

    private static ByteBuf call(Socket s, ApiKeys api, ApiMessage body) throws IOException {
        return RequestFrames.exchangeV0(s, api, 5, body);
    }

    private static List<Short> alter(Socket s, EntryData... entries) throws IOException {
        AlterClientQuotasResponseData r = new AlterClientQuotasResponseData(
                call(
                        s,
                        ApiKeys.ALTER_CLIENT_QUOTAS,
                        new AlterClientQuotasRequestData().setEntries(new ArrayList<>(List.of(entries)))),
                (short) 0);
        List<Short> out = new ArrayList<>();
        r.entries().forEach(e -> out.add(e.errorCode()));
        return out;
    }

    private static EntryData entry(String type, String name, String key, double value) {
        return new EntryData()
                .setEntity(new ArrayList<>(
                        List.of(new EntityData().setEntityType(type).setEntityName(name))))
                .setOps(new ArrayList<>(List.of(new OpData().setKey(key).setValue(value))));
    }

    private static int describeAll(Socket s) throws IOException {
        DescribeClientQuotasResponseData r = new DescribeClientQuotasResponseData(
                call(
                        s,
                        ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                        new DescribeClientQuotasRequestData()
                                .setComponents(new ArrayList<>())
                                .setStrict(false)),
                (short) 0);
        assertEquals(0, r.errorCode());
        return r.entries().size();
    }

    private static Socket connect(EmbeddedSkiff broker) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port());
        s.setSoTimeout(60_000);
        return s;
    }

    @Test
    void hostileQuotasAreRefusedAndTheStoreStaysBounded() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .dataDir(dir)
                .property("skiff.quotas.entities.max", String.valueOf(MAX_ENTITIES))
                .start()) {
            Survival survival = Survival.before(broker);
            short invalid = Errors.INVALID_REQUEST.code();
            try (Socket s = connect(broker)) {
                assertEquals(
                        List.of(invalid), alter(s, entry("client-id", "n".repeat(30_000), "producer_byte_rate", 1)));
                assertEquals(
                        List.of(invalid), alter(s, entry("client-id", "c", "producer_byte_rate", Double.MAX_VALUE)));
                assertEquals(
                        List.of(invalid),
                        alter(s, entry("client-id", "c", "producer_byte_rate", Double.POSITIVE_INFINITY)));
                assertEquals(
                        List.of(invalid),
                        alter(s, entry("client-id", "c", "request_percentage", Double.NEGATIVE_INFINITY)));
                assertEquals(
                        List.of(invalid), alter(s, entry("client-id", "c", "request_percentage", -Double.MIN_VALUE)));
                assertEquals(List.of(invalid), alter(s, entry("client-id", "c", "x".repeat(30_000), 1)));
                // a host name is never looked up: refused as not an address
                assertEquals(
                        List.of(invalid),
                        alter(s, entry("ip", "very-long-name.invalid", "connection_creation_rate", 1)));
                assertEquals(List.of(invalid), alter(s, entry("ip", "999.1.1.1", "connection_creation_rate", 1)));
                assertEquals(0, describeAll(s), "nothing refused is stored");

                // Kafka stores what its checks let through, NaN included; Skiff keeps it and restarts with it
                assertEquals(List.of((short) 0), alter(s, entry("client-id", "nan", "request_percentage", Double.NaN)));
                assertEquals(
                        List.of((short) 0),
                        alter(s, entry("client-id", "tiny", "request_percentage", Double.MIN_VALUE)));

                // thousands of ops on one entity: a key twice refuses the entity
                EntryData many = new EntryData()
                        .setEntity(new ArrayList<>(
                                List.of(new EntityData().setEntityType("user").setEntityName("ops"))));
                for (int i = 0; i < 5000; i++)
                    many.ops().add(new OpData().setKey("producer_byte_rate").setValue(1 + i));
                assertEquals(List.of(invalid), alter(s, many));

                // more entities than the cap in one request: the first fill the store, the rest are refused
                EntryData[] entries = new EntryData[MAX_ENTITIES + 100];
                for (int i = 0; i < entries.length; i++)
                    entries[i] = entry("client-id", String.format("client-%05d", i), "producer_byte_rate", 100 + i);
                List<Short> results = alter(s, entries);
                assertEquals(entries.length, results.size());
                assertEquals(
                        MAX_ENTITIES - 2, results.stream().filter(c -> c == 0).count());
                assertEquals(List.of(invalid), alter(s, entry("user", "one-more", "producer_byte_rate", 1)));
                assertEquals(MAX_ENTITIES, describeAll(s), "the cap holds");
            }

            // a quota of one byte per second: the producer is held for the longest throttle the wire can say,
            // its connection is not read any more, and nobody else is slowed down
            broker.createTopic("choked", 1);
            try (Socket s = connect(broker)) {
                // an entity already stored: the store is at its cap
                assertEquals(List.of((short) 0), alter(s, entry("client-id", "client-00000", "producer_byte_rate", 1)));
            }
            try (KafkaWire w = new KafkaWire(broker.host(), broker.port(), "client-00000")) {
                org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection topics =
                        new org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection();
                topics.add(new org.apache.kafka.common.message.ProduceRequestData.TopicProduceData()
                        .setName("choked")
                        .setPartitionData(
                                List.of(new org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData()
                                        .setIndex(0)
                                        .setRecords(MemoryRecords.withRecords(
                                                Compression.NONE, new SimpleRecord(new byte[100_000]))))));
                ProduceResponseData r = w.send(
                        new org.apache.kafka.common.message.ProduceRequestData()
                                .setAcks((short) 1)
                                .setTimeoutMs(10_000)
                                .setTopicData(topics),
                        9);
                assertTrue(r.throttleTimeMs() > 1_000_000, "throttle_time_ms " + r.throttleTimeMs());
                assertEquals(
                        0,
                        r.responses()
                                .iterator()
                                .next()
                                .partitionResponses()
                                .get(0)
                                .errorCode());
            }

            // a frame cut short: the connection is closed, nothing else changes
            try (Socket s = connect(broker)) {
                byte[] frame = RequestFrames.frame(
                        ApiKeys.ALTER_CLIENT_QUOTAS,
                        (short) 0,
                        6,
                        new AlterClientQuotasRequestData()
                                .setEntries(new ArrayList<>(List.of(entry("user", "cut", "producer_byte_rate", 1)))));
                // keep the length prefix, drop the last bytes of the body and patch the length to match
                int cut = frame.length - 6;
                byte[] shorter = java.util.Arrays.copyOf(frame, cut);
                java.nio.ByteBuffer.wrap(shorter).putInt(0, cut - 4);
                s.getOutputStream().write(shorter);
                s.getOutputStream().flush();
                assertEquals(-1, s.getInputStream().read(), "a malformed request closes the connection");
            }
            try (Socket s = connect(broker)) {
                assertEquals(MAX_ENTITIES, describeAll(s));
            }
            survival.assertServedAndRestartsIntact();
            try (Socket s = connect(broker)) {
                assertEquals(MAX_ENTITIES, describeAll(s), "the quotas accepted survive the restart");
                assertTrue(alter(s, entry("client-id", "client-00000", "producer_byte_rate", 5))
                                .get(0)
                        == 0);
            }
        }
    }
}
