package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The oldest versions, which Kafka 4 no longer knows, against bytes laid out by hand from the protocol
 * guide: each is parsed into the expected values and written back to the same bytes.
 */
class LegacyVersionsTest {

    /** Big-endian builder for the non-flexible encodings: int16-length strings, int32-length arrays and bytes. */
    private static final class Bytes {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Bytes i8(int v) {
            return run(() -> out.writeByte(v));
        }

        Bytes i16(int v) {
            return run(() -> out.writeShort(v));
        }

        Bytes i32(int v) {
            return run(() -> out.writeInt(v));
        }

        Bytes i64(long v) {
            return run(() -> out.writeLong(v));
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return i16(b.length).raw(b);
        }

        Bytes raw(byte[] b) {
            return run(() -> out.write(b));
        }

        byte[] get() {
            return bytes.toByteArray();
        }

        private interface Io {
            void run() throws IOException;
        }

        private Bytes run(Io io) {
            try {
                io.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    private static ApiMessage parseRequest(ApiKeys api, byte[] bytes, short v) {
        return api.parseRequest(Unpooled.wrappedBuffer(bytes), v);
    }

    private static ApiMessage parseResponse(ApiKeys api, byte[] bytes, short v) {
        return api.parseResponse(Unpooled.wrappedBuffer(bytes), v);
    }

    private static void assertWritesBack(byte[] expected, ApiMessage m, short v) {
        assertArrayEquals(expected, KafkaOracle.ourBytes(m, v));
    }

    @Test
    void produceV0() {
        byte[] messageSet = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
        byte[] wire = new Bytes()
                .i16(1)
                .i32(1500)
                .i32(1)
                .str("t")
                .i32(1)
                .i32(0)
                .i32(messageSet.length)
                .raw(messageSet)
                .get();
        ProduceRequestData p = (ProduceRequestData) parseRequest(ApiKeys.PRODUCE, wire, (short) 0);
        assertEquals(1, p.acks());
        assertEquals(1500, p.timeoutMs());
        assertNull(p.transactionalId());
        ProduceRequestData.PartitionProduceData part =
                p.topicData().get(0).partitionData().get(0);
        assertEquals("t", p.topicData().get(0).name());
        assertEquals(0, part.index());
        assertArrayEquals(messageSet, ByteBufUtil.getBytes(((BufferRecords) part.records()).buf()));
        assertWritesBack(wire, p, (short) 0);
    }

    @Test
    void fetchV0() {
        byte[] wire = new Bytes()
                .i32(-1)
                .i32(100)
                .i32(1)
                .i32(1)
                .str("t")
                .i32(1)
                .i32(2)
                .i64(42)
                .i32(1048576)
                .get();
        FetchRequestData f = (FetchRequestData) parseRequest(ApiKeys.FETCH, wire, (short) 0);
        assertEquals(-1, f.replicaId());
        assertEquals(100, f.maxWaitMs());
        assertEquals(1, f.minBytes());
        FetchRequestData.FetchPartition p = f.topics().get(0).partitions().get(0);
        assertEquals("t", f.topics().get(0).topic());
        assertEquals(2, p.partition());
        assertEquals(42, p.fetchOffset());
        assertEquals(1048576, p.partitionMaxBytes());
        assertWritesBack(wire, f, (short) 0);

        byte[] records = {9, 8, 7};
        byte[] response = new Bytes()
                .i32(1)
                .str("t")
                .i32(1)
                .i32(2)
                .i16(0)
                .i64(50)
                .i32(records.length)
                .raw(records)
                .get();
        FetchResponseData r = (FetchResponseData) parseResponse(ApiKeys.FETCH, response, (short) 0);
        FetchResponseData.PartitionData rp = r.responses().get(0).partitions().get(0);
        assertEquals(2, rp.partitionIndex());
        assertEquals(50, rp.highWatermark());
        assertArrayEquals(records, ByteBufUtil.getBytes(((BufferRecords) rp.records()).buf()));
        assertWritesBack(response, r, (short) 0);
    }

    @Test
    void listOffsetsV0() {
        byte[] wire =
                new Bytes().i32(-1).i32(1).str("t").i32(1).i32(0).i64(-1).i32(1).get();
        ListOffsetsRequestData l = (ListOffsetsRequestData) parseRequest(ApiKeys.LIST_OFFSETS, wire, (short) 0);
        ListOffsetsRequestData.ListOffsetsPartition p =
                l.topics().get(0).partitions().get(0);
        assertEquals(-1, p.timestamp());
        assertEquals(1, p.maxNumOffsets());
        assertWritesBack(wire, l, (short) 0);

        byte[] response = new Bytes()
                .i32(1)
                .str("t")
                .i32(1)
                .i32(0)
                .i16(0)
                .i32(2)
                .i64(10)
                .i64(0)
                .get();
        ListOffsetsResponseData r = (ListOffsetsResponseData) parseResponse(ApiKeys.LIST_OFFSETS, response, (short) 0);
        assertEquals(List.of(10L, 0L), r.topics().get(0).partitions().get(0).oldStyleOffsets());
        assertWritesBack(response, r, (short) 0);
    }

    @Test
    void metadataV0() {
        byte[] wire = new Bytes().i32(2).str("a").str("b").get();
        MetadataRequestData m = (MetadataRequestData) parseRequest(ApiKeys.METADATA, wire, (short) 0);
        assertEquals("b", m.topics().get(1).name());
        assertWritesBack(wire, m, (short) 0);

        byte[] response = new Bytes()
                .i32(1)
                .i32(1)
                .str("localhost")
                .i32(9092)
                .i32(1)
                .i16(0)
                .str("a")
                .i32(1)
                .i16(0)
                .i32(0)
                .i32(1)
                .i32(1)
                .i32(1)
                .i32(1)
                .i32(1)
                .get();
        MetadataResponseData r = (MetadataResponseData) parseResponse(ApiKeys.METADATA, response, (short) 0);
        assertEquals("localhost", r.brokers().get(0).host());
        assertEquals(9092, r.brokers().get(0).port());
        MetadataResponseData.MetadataResponsePartition p =
                r.topics().get(0).partitions().get(0);
        assertEquals(1, p.leaderId());
        assertEquals(List.of(1), p.replicaNodes());
        assertEquals(List.of(1), p.isrNodes());
        assertWritesBack(response, r, (short) 0);
    }

    @Test
    void offsetCommitV0AndV1() {
        byte[] v0 = new Bytes()
                .str("g")
                .i32(1)
                .str("t")
                .i32(1)
                .i32(0)
                .i64(5)
                .str("meta")
                .get();
        OffsetCommitRequestData c0 = (OffsetCommitRequestData) parseRequest(ApiKeys.OFFSET_COMMIT, v0, (short) 0);
        assertEquals("g", c0.groupId());
        assertEquals(5, c0.topics().get(0).partitions().get(0).committedOffset());
        assertEquals("meta", c0.topics().get(0).partitions().get(0).committedMetadata());
        assertWritesBack(v0, c0, (short) 0);

        byte[] v1 = new Bytes()
                .str("g")
                .i32(3)
                .str("m")
                .i32(1)
                .str("t")
                .i32(1)
                .i32(0)
                .i64(5)
                .i64(1234)
                .str("")
                .get();
        OffsetCommitRequestData c1 = (OffsetCommitRequestData) parseRequest(ApiKeys.OFFSET_COMMIT, v1, (short) 1);
        assertEquals(3, c1.generationIdOrMemberEpoch());
        assertEquals("m", c1.memberId());
        assertEquals(1234, c1.topics().get(0).partitions().get(0).commitTimestamp());
        assertWritesBack(v1, c1, (short) 1);
    }

    @Test
    void offsetFetchV0AndV1() {
        for (short v = 0; v <= 1; v++) {
            byte[] wire =
                    new Bytes().str("g").i32(1).str("t").i32(2).i32(0).i32(1).get();
            OffsetFetchRequestData f = (OffsetFetchRequestData) parseRequest(ApiKeys.OFFSET_FETCH, wire, v);
            assertEquals(List.of(0, 1), f.topics().get(0).partitionIndexes());
            assertWritesBack(wire, f, v);

            byte[] response = new Bytes()
                    .i32(1)
                    .str("t")
                    .i32(1)
                    .i32(0)
                    .i64(7)
                    .str("")
                    .i16(0)
                    .get();
            OffsetFetchResponseData r = (OffsetFetchResponseData) parseResponse(ApiKeys.OFFSET_FETCH, response, v);
            assertEquals(7, r.topics().get(0).partitions().get(0).committedOffset());
            assertWritesBack(response, r, v);
        }
    }
}
