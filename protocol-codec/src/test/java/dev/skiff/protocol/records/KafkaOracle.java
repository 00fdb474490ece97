package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;

/** Helpers that translate between Skiff's record types and Kafka's, which serve as the reference. */
final class KafkaOracle {
    private KafkaOracle() {}

    static Compression kafkaCompression(CompressionType type) {
        return Compression.of(org.apache.kafka.common.record.CompressionType.forId(type.id))
                .build();
    }

    /** A comparable view of one record: offset, timestamp, key, value, headers as strings. */
    record Flat(long offset, long timestamp, String key, String value, List<String> headers) {}

    static Flat flat(Record r) {
        List<String> hs = new ArrayList<>();
        for (Header h : r.headers()) hs.add(h.key() + "=" + str(h.value()));
        return new Flat(r.offset(), r.timestamp(), str(r.key()), str(r.value()), hs);
    }

    static Flat flat(org.apache.kafka.common.record.Record r) {
        List<String> hs = new ArrayList<>();
        for (org.apache.kafka.common.header.Header h : r.headers()) {
            hs.add(h.key() + "="
                    + (h.value() == null
                            ? "<null>"
                            : new String(h.value(), java.nio.charset.StandardCharsets.ISO_8859_1)));
        }
        return new Flat(r.offset(), r.timestamp(), str(r.key()), str(r.value()), hs);
    }

    static Flat flat(LegacyMessage m) {
        return new Flat(m.offset(), m.timestamp(), str(m.key()), str(m.value()), List.of());
    }

    static String str(ByteBuffer b) {
        if (b == null) return "<null>";
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static List<Flat> kafkaRecords(ByteBuffer buffer) {
        List<Flat> out = new ArrayList<>();
        for (MutableRecordBatch b :
                MemoryRecords.readableRecords(buffer.duplicate()).batches()) {
            b.ensureValid();
            for (org.apache.kafka.common.record.Record r : b) out.add(flat(r));
        }
        return out;
    }

    static List<Flat> skiffRecords(ByteBuffer buffer) {
        List<Flat> out = new ArrayList<>();
        for (RecordBatch b : RecordBatches.batches(buffer)) {
            for (Record r : b.readRecords()) out.add(flat(r));
        }
        return out;
    }

    /** A sample record i: some with null key or value, headers, a large value that spans LZ4 blocks. */
    static byte[] key(int i) {
        return i % 5 == 3 ? null : ("key-" + i).getBytes();
    }

    static byte[] value(int i) {
        if (i % 7 == 4) return null;
        if (i == 2) {
            byte[] big = new byte[150_000];
            for (int j = 0; j < big.length; j++) big[j] = (byte) (j * 31 + (j >> 9));
            return big;
        }
        return ("value-" + i + "-" + "x".repeat(i * 3)).getBytes();
    }

    static org.apache.kafka.common.header.Header[] kafkaHeaders(int i) {
        if (i % 3 == 0) return new org.apache.kafka.common.header.Header[0];
        return new org.apache.kafka.common.header.Header[] {
            new RecordHeader("h" + i, ("hv" + i).getBytes()),
            new RecordHeader("null-value", (byte[]) null),
            new RecordHeader("ünïcode", new byte[] {1, 2, 3})
        };
    }

    static List<Header> skiffHeaders(int i) {
        List<Header> hs = new ArrayList<>();
        for (org.apache.kafka.common.header.Header h : kafkaHeaders(i)) hs.add(Header.of(h.key(), h.value()));
        return hs;
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int size = Arrays.stream(parts).mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer p : parts) out.put(p.duplicate());
        return out.flip();
    }
}
