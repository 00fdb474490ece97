package dev.skiff.protocol.records;

import static dev.skiff.protocol.records.KafkaOracle.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.AbstractLegacyRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LegacyConversionTest {
    static final long T0 = 1_600_000_000_000L;
    static final int N = 9;

    /** A legacy set built by Kafka's own (still present) magic 0/1 writer. */
    static ByteBuffer kafkaLegacySet(byte magic, CompressionType type, long baseOffset) {
        MemoryRecordsBuilder b = MemoryRecords.builder(
                ByteBuffer.allocate(1024),
                magic,
                kafkaCompression(type),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                baseOffset);
        for (int i = 0; i < N; i++) b.append(T0 + i, key(i), value(i));
        return b.build().buffer();
    }

    /** Kafka's deep view of a legacy set: absolute offsets, timestamps, keys, values. */
    static List<Flat> kafkaLegacyRecords(ByteBuffer set) {
        List<Flat> out = new ArrayList<>();
        for (MutableRecordBatch b :
                MemoryRecords.readableRecords(set.duplicate()).batches()) {
            assertTrue(b instanceof AbstractLegacyRecordBatch);
            b.ensureValid();
            for (org.apache.kafka.common.record.Record r : b) out.add(flat(r));
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"0,NONE", "0,GZIP", "0,SNAPPY", "0,LZ4", "1,NONE", "1,GZIP", "1,SNAPPY", "1,LZ4"})
    void readsKafkaLegacySetsAndUpConverts(byte magic, CompressionType type) {
        ByteBuffer set = kafkaLegacySet(magic, type, 30);
        List<Flat> expected = kafkaLegacyRecords(set);

        LegacyMessageSet read = LegacyMessageSet.read(set);
        assertEquals(set.remaining(), read.validBytes());
        assertEquals(magic, read.magic());
        assertEquals(type, read.compression());
        List<Flat> mine = new ArrayList<>();
        for (LegacyMessage m : read.messages()) mine.add(flat(m));
        assertEquals(expected, mine);

        ByteBuffer v2 = LegacyConverter.upConvert(set);
        ValidationResult v = RecordBatches.validateProduce(v2);
        assertEquals(type, v.batches().get(0).compression());
        List<Flat> up = kafkaRecords(v2);
        assertEquals(N, up.size());
        for (int i = 0; i < N; i++) {
            assertEquals(i, up.get(i).offset(), "relative offsets from 0");
            assertEquals(magic == 0 ? -1L : T0 + i, up.get(i).timestamp());
            assertEquals(expected.get(i).key(), up.get(i).key());
            assertEquals(expected.get(i).value(), up.get(i).value());
        }
        assertEquals(up, skiffRecords(v2));
        assertEquals(
                CompressionType.NONE,
                RecordBatches.validate(LegacyConverter.upConvert(set, CompressionType.NONE))
                        .batches()
                        .get(0)
                        .compression());
    }

    @ParameterizedTest
    @CsvSource({"0,GZIP", "0,SNAPPY", "0,LZ4", "1,GZIP", "1,SNAPPY", "1,LZ4", "0,NONE", "1,NONE"})
    void kafkaReadsSkiffLegacySets(byte magic, CompressionType type) {
        LegacyMessageSetBuilder b = new LegacyMessageSetBuilder(magic, type, 256);
        for (int i = 0; i < N; i++) b.append(500 + i, T0 + i, wrap(key(i)), wrap(value(i)));
        ByteBuffer set = b.build();
        List<Flat> kafka = kafkaLegacyRecords(set);
        assertEquals(N, kafka.size());
        for (int i = 0; i < N; i++) {
            assertEquals(500 + i, kafka.get(i).offset());
            assertEquals(magic == 0 ? -1L : T0 + i, kafka.get(i).timestamp());
            assertEquals(str(wrap(value(i))), kafka.get(i).value());
        }
        List<Flat> mine = new ArrayList<>();
        for (LegacyMessage m : LegacyMessageSet.read(set).messages()) mine.add(flat(m));
        assertEquals(kafka, mine);
    }

    @Test
    void lz4MagicZeroUsesTheOldHeaderChecksumAndBothAreRead() throws Exception {
        byte[] data = "hello hello hello hello".getBytes();
        ByteBuffer v0 = Compression.compress(CompressionType.LZ4, ByteBuffer.wrap(data), (byte) 0);
        ByteBuffer v1 = Compression.compress(CompressionType.LZ4, ByteBuffer.wrap(data), (byte) 1);
        assertNotEquals(v0.get(6), v1.get(6), "header checksums differ");
        assertEquals(ByteBuffer.wrap(data), Compression.decompress(CompressionType.LZ4, v0, 1000));
        assertEquals(ByteBuffer.wrap(data), Compression.decompress(CompressionType.LZ4, v1, 1000));
        // Kafka insists on the spec checksum for magic 1 and tolerates the broken one for magic 0
        try (var in = org.apache.kafka.common.compress.Compression.lz4()
                .build()
                .wrapForInput(v1.duplicate(), (byte) 1, org.apache.kafka.common.utils.BufferSupplier.NO_CACHING)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        try (var in = org.apache.kafka.common.compress.Compression.lz4()
                .build()
                .wrapForInput(v0.duplicate(), (byte) 0, org.apache.kafka.common.utils.BufferSupplier.NO_CACHING)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void magicOneLogAppendTimeWrapperStampsInnerMessages() {
        MemoryRecordsBuilder b = MemoryRecords.builder(
                ByteBuffer.allocate(256),
                (byte) 1,
                kafkaCompression(CompressionType.GZIP),
                org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME,
                10,
                T0 + 5000,
                -1,
                (short) -1,
                -1,
                false,
                -1);
        b.append(T0, "a".getBytes(), "1".getBytes());
        b.append(T0 + 1, "b".getBytes(), "2".getBytes());
        ByteBuffer set = b.build().buffer();
        List<Flat> mine = new ArrayList<>();
        for (LegacyMessage m : LegacyMessageSet.read(set).messages()) {
            assertEquals(TimestampType.LOG_APPEND_TIME, m.timestampType());
            mine.add(flat(m));
        }
        assertEquals(kafkaLegacyRecords(set), mine);
        assertEquals(T0 + 5000, mine.get(1).timestamp());
    }

    @Test
    void partialTrailingMessageIsSkipped() {
        ByteBuffer set = kafkaLegacySet((byte) 1, CompressionType.NONE, 0);
        ByteBuffer torn = set.duplicate().limit(set.limit() - 5);
        LegacyMessageSet read = LegacyMessageSet.read(torn);
        assertEquals(N - 1, read.messages().size());
        assertTrue(read.validBytes() < torn.remaining());
        assertEquals(N - 1, RecordBatch.wrap(LegacyConverter.upConvert(torn)).recordCount());
    }

    static ByteBuffer storedLog() {
        // three stored batches: lz4 idempotent, a commit marker, zstd with log append time and headers
        ByteBuffer a = kafkaBatchAt(CompressionType.LZ4, 100, 5, false);
        ByteBuffer marker = RecordBatchBuilder.endTxnMarker(105, T0, 1, (short) 0, 0, true, 0);
        RecordBatchBuilder c =
                new RecordBatchBuilder(CompressionType.ZSTD).baseOffset(106).logAppendTime(T0 + 777);
        for (int i = 0; i < 4; i++) c.append(T0, wrap(key(i)), wrap(value(i)), skiffHeaders(i));
        return concat(a, marker, c.build());
    }

    static ByteBuffer kafkaBatchAt(CompressionType type, long base, int n, boolean txn) {
        MemoryRecordsBuilder b = MemoryRecords.builder(
                ByteBuffer.allocate(256),
                type == CompressionType.NONE
                        ? org.apache.kafka.common.record.RecordBatch.CURRENT_MAGIC_VALUE
                        : (byte) 2,
                kafkaCompression(type),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                base,
                T0,
                1,
                (short) 0,
                0,
                txn,
                0);
        for (int i = 0; i < n; i++) b.append(T0 + i, key(i), value(i), kafkaHeaders(i));
        return b.build().buffer();
    }

    @ParameterizedTest
    @CsvSource({"0", "1"})
    void downConvertsForOldFetchers(byte magic) {
        ByteBuffer log = storedLog();
        ByteBuffer set = LegacyConverter.downConvert(log, magic, 0, Integer.MAX_VALUE);
        List<Flat> kafka = kafkaLegacyRecords(set);
        long[] offsets = kafka.stream().mapToLong(Flat::offset).toArray();
        assertArrayEquals(new long[] {100, 101, 102, 103, 104, 106, 107, 108, 109}, offsets, "marker skipped");
        for (MutableRecordBatch b :
                MemoryRecords.readableRecords(set.duplicate()).batches()) {
            assertEquals(magic, b.magic());
            assertEquals(org.apache.kafka.common.record.CompressionType.NONE, b.compressionType());
        }
        List<Flat> stored = kafkaRecords(log);
        stored.removeIf(f -> f.offset() == 105);
        for (int i = 0; i < kafka.size(); i++) {
            assertEquals(stored.get(i).key(), kafka.get(i).key());
            assertEquals(stored.get(i).value(), kafka.get(i).value());
            assertEquals(
                    magic == 0 ? -1 : stored.get(i).timestamp(), kafka.get(i).timestamp());
        }
        if (magic == 1) assertEquals(T0 + 777, kafka.get(kafka.size() - 1).timestamp());
    }

    @Test
    void downConvertHonoursMinOffsetAndMaxBytes() {
        ByteBuffer log = storedLog();
        ByteBuffer fromMiddle = LegacyConverter.downConvert(log, (byte) 1, 103, Integer.MAX_VALUE);
        assertEquals(103, kafkaLegacyRecords(fromMiddle).get(0).offset());

        // a limit smaller than the first message still returns that message
        ByteBuffer one = LegacyConverter.downConvert(log, (byte) 0, 102, 10);
        List<Flat> single = kafkaLegacyRecords(one);
        assertEquals(1, single.size());
        assertEquals(102, single.get(0).offset());

        ByteBuffer all = LegacyConverter.downConvert(log, (byte) 1, 0, Integer.MAX_VALUE);
        int limit = all.remaining() - 1;
        ByteBuffer capped = LegacyConverter.downConvert(log, (byte) 1, 0, limit);
        assertTrue(capped.remaining() <= limit);
        assertEquals(
                kafkaLegacyRecords(all).size() - 1, kafkaLegacyRecords(capped).size());

        // a fetch-sized read that tears the last batch: the complete batches are converted
        ByteBuffer torn = log.duplicate().limit(log.limit() - 20);
        List<Flat> partial = kafkaLegacyRecords(LegacyConverter.downConvert(torn, (byte) 1, 0, Integer.MAX_VALUE));
        assertEquals(105 - 1, partial.get(partial.size() - 1).offset());
        assertEquals(0, LegacyConverter.downConvert(log, (byte) 1, 1000, 100).remaining());
    }

    private static ByteBuffer wrap(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }
}
