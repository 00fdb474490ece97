package dev.skiff.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.InvalidFrameSizeException;
import dev.skiff.protocol.KafkaFrameDecoder;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.message.RequestHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;

/**
 * Hostile input for the request decoder: thousands of frames, mutated from real requests (built by
 * kafka-clients' own message classes, and our defaults for every API and version) or plain random, go through
 * {@link RequestParser} and the {@link KafkaFrameDecoder}. The only failure allowed is a ProtocolException
 * (an InvalidFrameSizeException for a bad size prefix); nothing may hang, and nothing may allocate much more
 * than the frame it was given (lengths are checked against the bytes left before anything is allocated).
 * Seeded, so a failure names an input that reproduces.
 */
class RequestDecoderFuzzTest {

    static final long SEED = 0x5c1ffL;
    static final int MUTANTS = 100_000;
    static final int RANDOM_FRAMES = 20_000;
    /** Generous: generated objects for every element that fits the frame, plus fixed overhead. */
    static final long ALLOCATION_SLACK = 2L << 20;

    static final long ALLOCATION_PER_BYTE = 512;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Counters for the report. */
    static long tried, rejected, accepted;

    @Test
    void mutatedRealRequestsOnlyEverFailWithProtocolException() {
        List<byte[]> seeds = seeds();
        assertTrue(seeds.size() > 200, "seed corpus: " + seeds.size());
        Random random = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            for (byte[] seed : seeds) decode(seed);
            for (int i = 0; i < MUTANTS; i++) decode(mutate(seeds.get(random.nextInt(seeds.size())), random));
        });
        System.out.printf(
                "RequestDecoderFuzzTest: %d seeds, %d inputs tried, %d rejected, %d parsed%n",
                seeds.size(), tried, rejected, accepted);
    }

    @Test
    void randomFramesWithPlausibleHeaders() {
        Random random = new Random(SEED + 1);
        ApiKeys[] apis = ApiKeys.values();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < RANDOM_FRAMES; i++) {
                ApiKeys api = apis[random.nextInt(apis.length)];
                byte[] frame = new byte[8 + random.nextInt(300)];
                random.nextBytes(frame);
                ByteBuffer.wrap(frame).putShort(api.id()).putShort((short)
                        (api.lowestVersion() + random.nextInt(api.highestVersion() - api.lowestVersion() + 1)));
                decode(frame);
            }
        });
    }

    @Test
    void hugeClaimsAreRejectedBeforeAllocating() {
        // Metadata v0 whose topic array claims Integer.MAX_VALUE elements, bytes/strings claiming 2 GB
        byte[][] claims = {
            frame(ApiKeys.METADATA, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
            frame(ApiKeys.METADATA, 0, new byte[] {0, 0, 0, 1, 0x7f, (byte) 0xff, 'a'}),
            frame(ApiKeys.SASL_AUTHENTICATE, 0, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2}),
            frame(ApiKeys.METADATA, 9, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}),
            frame(ApiKeys.METADATA, 9, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01
            }),
        };
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (byte[] claim : claims) {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                assertThrows(
                        ProtocolException.class,
                        () -> RequestParser.parse(Unpooled.wrappedBuffer(claim)),
                        HexFormat.of().formatHex(claim));
                assertTrue(
                        THREADS.getCurrentThreadAllocatedBytes() - before < ALLOCATION_SLACK, "allocated for a claim");
            }
        });
        // and a size prefix of 2 GB is refused by the frame decoder before a byte of it is buffered
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder());
        assertThrows(
                InvalidFrameSizeException.class,
                () -> ch.writeInbound(
                        Unpooled.wrappedBuffer(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1})));
        ch.finishAndReleaseAll();
    }

    // ---- the decoder under test --------------------------------------------------------------------------

    private static void decode(byte[] frame) {
        tried++;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        // the thread's own CPU time: a GC pause or a busy machine holding the thread back is not the decoder's
        long start = THREADS.getCurrentThreadCpuTime();
        try {
            RequestParser.parse(Unpooled.wrappedBuffer(frame));
            accepted++;
        } catch (ProtocolException expected) {
            rejected++;
        } catch (Throwable t) {
            fail("decoder threw " + t + " for " + HexFormat.of().formatHex(frame), t);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (allocated > ALLOCATION_SLACK + ALLOCATION_PER_BYTE * frame.length) {
            fail("decoding " + frame.length + " bytes allocated " + allocated + ": "
                    + HexFormat.of().formatHex(frame));
        }
        if (THREADS.getCurrentThreadCpuTime() - start > 1_000_000_000L)
            fail("decoding took over a second of CPU: " + HexFormat.of().formatHex(frame));
        if ((tried & 7) == 0) throughFrameDecoder(frame);
    }

    /** The same bytes as the server sees them: size prefix, split at a random point, through the frame decoder. */
    private static void throughFrameDecoder(byte[] frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new KafkaFrameDecoder(64 * 1024));
        try {
            ByteBuf wire =
                    Unpooled.buffer(frame.length + 4).writeInt(frame.length).writeBytes(frame);
            int split = frame.length / 2;
            ch.writeInbound(wire.retainedSlice(0, split));
            ch.writeInbound(wire.retainedSlice(split, wire.readableBytes() - split));
            wire.release();
            ByteBuf out = ch.readInbound();
            if (out == null) fail("a whole frame was not emitted");
            try {
                RequestParser.parse(out);
            } catch (ProtocolException expected) {
                // fine
            } finally {
                out.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    // ---- inputs -------------------------------------------------------------------------------------------

    private static byte[] frame(ApiKeys api, int version, byte[] body) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion((short) version)
                .setCorrelationId(1)
                .setClientId("fuzz")
                .write(w, api.requestHeaderVersion((short) version));
        byte[] header = w.toByteArray();
        byte[] out = new byte[header.length + body.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(body, 0, out, header.length, body.length);
        return out;
    }

    /** Our default request of every API at every version, and populated requests written by kafka-clients. */
    static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            for (short v = api.lowestVersion(); v <= api.highestVersion(); v++) {
                ApiMessage body = api.newRequest();
                ProtocolWriter w = new ProtocolWriter();
                try {
                    body.write(w, v);
                } catch (RuntimeException unsupported) {
                    continue;
                }
                out.add(frame(api, v, w.toByteArray()));
            }
        }
        for (org.apache.kafka.common.protocol.ApiMessage m : kafkaRequests()) {
            org.apache.kafka.common.protocol.ApiKeys key = org.apache.kafka.common.protocol.ApiKeys.forId(m.apiKey());
            ApiKeys ours = ApiKeys.forId(m.apiKey());
            if (ours == null) continue;
            for (short v = key.oldestVersion(); v <= key.latestVersion(true); v++) {
                if (!ours.isVersionSupported(v)) continue;
                RequestHeader header = new RequestHeader(key, v, "fuzz-client", 42);
                try {
                    ByteBuffer b = RequestUtils.serialize(header.data(), header.headerVersion(), m, v);
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    out.add(bytes);
                } catch (RuntimeException notInThisVersion) {
                    // a field set here that this version cannot carry
                }
            }
        }
        return out;
    }

    private static List<org.apache.kafka.common.protocol.ApiMessage> kafkaRequests() {
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), "value-1".getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(2L, null, "value-2".getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData produce =
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(3000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("orders");
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        produce.topicData().add(td);

        FetchRequestData fetch =
                new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20);
        FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopic("orders");
        ft.partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(0)
                        .setFetchOffset(5)
                        .setPartitionMaxBytes(1024));
        ft.partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(1)
                        .setFetchOffset(7)
                        .setPartitionMaxBytes(1024));
        fetch.topics().add(ft);

        MetadataRequestData metadata = new MetadataRequestData();
        metadata.setTopics(new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName("orders"),
                new MetadataRequestData.MetadataRequestTopic().setName("payments"))));

        OffsetCommitRequestData commit =
                new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1);
        OffsetCommitRequestData.OffsetCommitRequestTopic ct =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders");
        ct.partitions()
                .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0)
                        .setCommittedOffset(12)
                        .setCommittedMetadata("meta"));
        commit.topics().add(ct);

        ListOffsetsRequestData list = new ListOffsetsRequestData().setReplicaId(-1);
        ListOffsetsRequestData.ListOffsetsTopic lt = new ListOffsetsRequestData.ListOffsetsTopic().setName("orders");
        lt.partitions()
                .add(new ListOffsetsRequestData.ListOffsetsPartition()
                        .setPartitionIndex(0)
                        .setTimestamp(-2));
        list.topics().add(lt);

        JoinGroupRequestData join = new JoinGroupRequestData()
                .setGroupId("g")
                .setSessionTimeoutMs(10000)
                .setRebalanceTimeoutMs(10000)
                .setMemberId("")
                .setProtocolType("consumer");
        join.protocols()
                .add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                        .setName("range")
                        .setMetadata(new byte[] {0, 1, 2, 3}));

        FindCoordinatorRequestData find =
                new FindCoordinatorRequestData().setKey("g").setCoordinatorKeys(List.of("g"));

        OffsetFetchRequestData fetchOffsets = new OffsetFetchRequestData().setGroupId("g");
        return List.of(produce, fetch, metadata, commit, list, join, find, fetchOffsets);
    }

    /** One to three random damages of a valid frame. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            switch (r.nextInt(7)) {
                case 0 -> { // flip bits
                    if (b.length > 0) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> { // a hostile int32 (lengths, counts) anywhere after the api key and version
                    if (b.length >= 8) {
                        int[] nasty = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2, 0x7ffffff0, 1 << 20, r.nextInt()};
                        ByteBuffer.wrap(b).putInt(4 + r.nextInt(b.length - 7), nasty[r.nextInt(nasty.length)]);
                    }
                }
                case 2 -> { // a huge or overlong unsigned varint (compact lengths, tagged fields)
                    byte[] varint = r.nextBoolean()
                            ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}
                            : new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
                    int at = b.length > 4 ? 4 + r.nextInt(b.length - 4) : 0;
                    for (int k = 0; k < varint.length && at + k < b.length; k++) b[at + k] = varint[k];
                }
                case 3 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 4 -> { // random tail
                    byte[] tail = new byte[1 + r.nextInt(64)];
                    r.nextBytes(tail);
                    byte[] n = java.util.Arrays.copyOf(b, b.length + tail.length);
                    System.arraycopy(tail, 0, n, b.length, tail.length);
                    b = n;
                }
                case 5 -> { // a slice repeated in place
                    if (b.length > 2) {
                        int from = r.nextInt(b.length - 1), len = 1 + r.nextInt(Math.min(32, b.length - from));
                        byte[] n = new byte[b.length + len];
                        System.arraycopy(b, 0, n, 0, from + len);
                        System.arraycopy(b, from, n, from + len, b.length - from);
                        b = n;
                    }
                }
                default -> { // a run of random bytes
                    if (b.length > 0) {
                        int from = r.nextInt(b.length);
                        for (int k = from; k < Math.min(b.length, from + 1 + r.nextInt(8)); k++)
                            b[k] = (byte) r.nextInt();
                    }
                }
            }
        }
        return b;
    }
}
