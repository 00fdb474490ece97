package dev.skiff.it.hostile;

import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

/**
 * Hostile record payloads for the codec's hostile tests, written by hand from the format: gzip streams of
 * gigabytes of zeros built in milliseconds (one compressed megabyte of zeros that stands alone, repeated),
 * v2 batches around any records section with a valid CRC32C, magic 0 gzip wrappers, and Produce frames.
 */
final class CodecAttacks {
    static final int MB = 1 << 20;
    private static final long T0 = 1_700_000_000_000L;
    private static byte[] zeroMegabyte;

    private CodecAttacks() {}

    // ---- produce frames ----

    /** A Produce request frame (size prefix included) for one partition of one topic. */
    static byte[] produce(short version, int correlationId, String topic, int partition, byte[] records) {
        ProduceRequestData body = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(new java.util.ArrayList<>(List.of(new ProduceRequestData.TopicProduceData()
                        .setName(topic)
                        .setPartitionData(
                                new java.util.ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData()
                                        .setIndex(partition)
                                        .setRecords(new BufferRecords(Unpooled.wrappedBuffer(records)))))))));
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(ApiKeys.PRODUCE.id())
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("codec-attack")
                .write(w, ApiKeys.PRODUCE.requestHeaderVersion(version));
        body.write(w, version);
        return frame(w.toByteArray());
    }

    static byte[] frame(byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    /** Sends a Produce v2-v8 (response header v0) and returns the one partition's error code. */
    static short produceError(RawConnection c, short version, int correlationId, String topic, byte[] records)
            throws IOException {
        if (version > 8) throw new IllegalArgumentException("flexible versions have another response header");
        c.send(produce(version, correlationId, topic, 0, records));
        RawConnection.Answer a = c.readAnswer();
        if (a.correlationId() != correlationId) throw new AssertionError("answer to " + a.correlationId());
        ProduceResponseData r = new ProduceResponseData(Unpooled.wrappedBuffer(a.body()), version);
        return r.responses().get(0).partitionResponses().get(0).errorCode();
    }

    // ---- v2 batches ----

    /** A v2 batch around a raw records section, with a valid CRC32C. */
    static byte[] batch(int compressionId, int attributesExtra, int count, byte[] records) {
        ByteBuffer b = ByteBuffer.allocate(61 + records.length);
        b.putLong(0)
                .putInt(b.capacity() - 12)
                .putInt(-1)
                .put((byte) 2)
                .putInt(0)
                .putShort((short) (compressionId | attributesExtra))
                .putInt(count - 1)
                .putLong(T0)
                .putLong(T0)
                .putLong(-1)
                .putShort((short) -1)
                .putInt(-1)
                .putInt(count)
                .put(records);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 21, b.capacity() - 21);
        b.putInt(17, (int) crc.getValue());
        return b.array();
    }

    /** The start of a v2 record up to its value: length, attributes, deltas, key "k", value length. */
    static byte[] recordHead(int offsetDelta, long valueLength) {
        ByteBuffer body = ByteBuffer.allocate(32);
        body.put((byte) 0);
        varint(0, body);
        varint(offsetDelta, body);
        varint(1, body);
        body.put((byte) 'k');
        varint((int) valueLength, body);
        ByteBuffer out = ByteBuffer.allocate(40);
        varint((int) (body.position() + valueLength + 1), out);
        out.put(body.array(), 0, body.position());
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** A whole small v2 record with a key and a value. */
    static byte[] record(int offsetDelta, String key, String value) {
        byte[] k = key.getBytes();
        byte[] v = value.getBytes();
        ByteBuffer body = ByteBuffer.allocate(32 + k.length + v.length);
        body.put((byte) 0);
        varint(0, body);
        varint(offsetDelta, body);
        varint(k.length, body);
        body.put(k);
        varint(v.length, body);
        body.put(v);
        varint(0, body);
        ByteBuffer out = ByteBuffer.allocate(body.position() + 5);
        varint(body.position(), out);
        out.put(body.array(), 0, body.position());
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    static void varint(int value, ByteBuffer out) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & ~0x7F) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    // ---- bombs ----

    /** A gzip stream of {@code prefix}, {@code zeros} zero bytes (whole megabytes) and {@code suffix}. */
    static byte[] gzip(byte[] prefix, long zeros, byte[] suffix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        out.writeBytes(deflate(prefix, false));
        byte[] mb = zeroMegabyte();
        for (long i = 0; i < zeros / MB; i++) out.writeBytes(mb);
        out.writeBytes(deflate(suffix, true));
        CRC32 crc = new CRC32();
        crc.update(prefix);
        byte[] zero = new byte[MB];
        for (long i = 0; i < zeros / MB; i++) crc.update(zero);
        crc.update(suffix);
        int size = (int) (prefix.length + zeros + suffix.length);
        out.writeBytes(ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue())
                .putInt(size)
                .array());
        return out.toByteArray();
    }

    private static synchronized byte[] zeroMegabyte() {
        if (zeroMegabyte == null) zeroMegabyte = deflate(new byte[MB], false);
        return zeroMegabyte;
    }

    private static byte[] deflate(byte[] data, boolean last) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        if (last) d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            int n = last ? d.deflate(buf) : d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
            out.write(buf, 0, n);
            if (last ? d.finished() : n < buf.length) break;
        }
        d.end();
        return out.toByteArray();
    }

    /** A v2 gzip batch of one record whose value is {@code zeros} zero bytes: about 1 KB per inflated MB. */
    static byte[] gzipBombBatch(long zeros) {
        return batch(1, 0, 1, gzip(recordHead(0, zeros), zeros, new byte[] {0}));
    }

    /** A magic 0 gzip wrapper around one magic 0 message whose value is {@code zeros} zero bytes. */
    static byte[] legacyGzipWrapper(long zeros) {
        ByteBuffer afterCrc =
                ByteBuffer.allocate(10).put((byte) 0).put((byte) 0).putInt(-1).putInt((int) zeros);
        CRC32 crc = new CRC32();
        crc.update(afterCrc.array());
        byte[] zero = new byte[MB];
        for (long i = 0; i < zeros / MB; i++) crc.update(zero);
        ByteBuffer head = ByteBuffer.allocate(26)
                .putLong(0)
                .putInt((int) (14 + zeros))
                .putInt((int) crc.getValue())
                .put(afterCrc.array());
        byte[] value = gzip(head.array(), zeros, new byte[0]);
        ByteBuffer wrapperAfterCrc = ByteBuffer.allocate(10 + value.length)
                .put((byte) 0)
                .put((byte) 1)
                .putInt(-1)
                .putInt(value.length)
                .put(value);
        CRC32 wrapperCrc = new CRC32();
        wrapperCrc.update(wrapperAfterCrc.array());
        return ByteBuffer.allocate(16 + wrapperAfterCrc.capacity())
                .putLong(0)
                .putInt(4 + wrapperAfterCrc.capacity())
                .putInt((int) wrapperCrc.getValue())
                .put(wrapperAfterCrc.array())
                .array();
    }
}
